"""Builds a vault of N users through /v2/UserCreateBulk (batches of 1,000 from
2 client threads), prints records/s, and writes the tokens and emails of the
users, one per line, for the read benchmarks. Every PROGRESS records it tells
stderr the rate of the last stretch, so a rate that falls as the vault grows
shows (BENCH_PROGRESS, default 100,000; 0: quiet). BENCH_START (default 0) numbers
the users from there, so a second run adds N different users to an existing vault
(emails, logins and phones are unique per number)."""
import http.client
import json
import os
import sys
import threading
import time

BATCH = 1000
PROGRESS = int(os.environ.get("BENCH_PROGRESS", "100000"))
START = int(os.environ.get("BENCH_START", "0"))


SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "za", "be", "do", "fi", "gu",
             "ha", "je", "ko", "li", "mo", "nu", "pe", "ri", "so", "tu", "wa", "xe", "yo"]


def name(i, salt):
    """A pronounceable name, different for every <i>: realistic spread of trigrams."""
    h = (i * 2654435761 + salt * 40503) & 0xFFFFFFFF
    out = []
    for _ in range(4):
        out.append(SYLLABLES[h % len(SYLLABLES)])
        h //= len(SYLLABLES)
    return "".join(out) + str(i % 97)


def email(i):
    return f"{name(i, 1)}.{name(i, 2)}@{['gmail.com', 'example.org', 'mail.test'][i % 3]}"


def profile(i):
    return {"first": name(i, 3).title(), "last": name(i, 4).title(), "email": email(i),
            "login": f"{name(i, 5)}{i}", "phone": f"+4421{i:08d}",
            "address": {"city": "London", "street": f"{i} High Street", "zip": "N1 9GU"}}


class Progress:
    def __init__(self, total):
        self.lock = threading.Lock()
        self.total, self.done, self.mark = total, 0, 0
        self.t0 = self.tmark = time.monotonic()

    def add(self, n):
        with self.lock:
            self.done += n
            if PROGRESS <= 0 or self.done - self.mark < PROGRESS:
                return
            now = time.monotonic()
            print(f"bulk: {self.done}/{self.total} users, last {self.done - self.mark} at "
                  f"{(self.done - self.mark) / (now - self.tmark):.0f} records/s, overall "
                  f"{self.done / (now - self.t0):.0f}", file=sys.stderr, flush=True)
            self.mark, self.tmark = self.done, now


def worker(port, token, batches, out, errors, progress):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    for start in batches:
        recs = [{"profile": profile(i)} for i in range(start, start + BATCH)]
        conn.request("POST", "/v2/UserCreateBulk", json.dumps({"records": recs}),
                     {"X-Bunker-Token": token, "Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            errors.append(data[:300])
            continue
        for i, c in enumerate(json.loads(data)["created"]):
            out.append((c["token"], email(start + i)))
        progress.add(BATCH)
    conn.close()


def main():
    port, token, n, tokens_path, emails_path = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                                sys.argv[4], sys.argv[5])
    starts = list(range(START, START + n - n % BATCH, BATCH))
    parts = [starts[0::2], starts[1::2]]
    out, errors = [], []
    progress = Progress(len(starts) * BATCH)
    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(port, token, p, out, errors, progress))
               for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - t0
    with open(tokens_path, "w") as f:
        f.write("\n".join(t for t, _ in out) + "\n")
    with open(emails_path, "w") as f:
        f.write("\n".join(e for _, e in out) + "\n")
    print(f"BULK {len(out)} {secs:.2f} {len(out) / secs:.0f}")
    if errors:
        print(f"bulk: {len(errors)} failed batches, first: {errors[0]!r}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
