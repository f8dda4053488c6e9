"""Creates N users through POST /v1/user with 8 client threads and writes
their tokens and emails, one per line, for the read benchmarks."""
import http.client
import json
import sys
import threading


def worker(port, token, start, count, out, errors):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(start, start + count):
        email = f"seed{i}@bench.example.com"
        body = json.dumps({"first": "Seed", "last": f"User{i}", "email": email,
                           "login": f"seed{i}", "phone": f"+4420{i:08d}"})
        conn.request("POST", "/v1/user", body, {"X-Bunker-Token": token,
                                                 "Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            errors.append(data)
            continue
        out.append((json.loads(data)["token"], email))
    conn.close()


def main():
    port, token, n, tokens_path, emails_path = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                                sys.argv[4], sys.argv[5])
    threads, out, errors = [], [], []
    per = (n + 7) // 8
    for t in range(8):
        th = threading.Thread(target=worker, args=(port, token, t * per, min(per, n - t * per),
                                                    out, errors))
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    with open(tokens_path, "w") as f:
        f.write("\n".join(t for t, _ in out) + "\n")
    with open(emails_path, "w") as f:
        f.write("\n".join(e for _, e in out) + "\n")
    if errors:
        print(f"seed: {len(errors)} errors, first: {errors[0][:200]!r}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
