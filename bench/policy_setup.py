"""Sets up the docs' parent/child policy for the authorization benchmark: a
group with one parent and N children, a policy that lets the parent role read
the children's profiles within its group, and an access token for the parent.
Prints the parent's token; writes the children's tokens one per line."""
import http.client
import json
import sys


def call(conn, token, op, body):
    conn.request("POST", f"/v2/{op}", json.dumps(body),
                 {"X-Bunker-Token": token, "Content-Type": "application/json"})
    r = conn.getresponse()
    data = json.loads(r.read())
    if r.status != 200:
        sys.exit(f"{op}: {r.status} {data}")
    return data


def main():
    port, token, n, out_path = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    call(c, token, "GroupCreate", {"groupname": "benchfamily"})
    call(c, token, "PolicyCreate", {"policyname": "benchparent", "policy": {
        "Effect": "Allow", "Principal": {"Role": "benchparent"}, "Action": ["UserGet"],
        "Resource": ["${target_group_members:role/benchchild}.profile"],
        "Condition": {"StringEquals": {"${principal_group_id}": "${target_group_id}"}}}})
    parent = call(c, token, "UserCreate", {"profile": {"login": "benchparent"},
                                          "groupname": "benchfamily",
                                          "rolename": "benchparent"})["token"]
    kids = []
    for i in range(n):
        kids.append(call(c, token, "UserCreate", {
            "profile": {"login": f"benchchild{i}", "name": f"Child {i}"},
            "groupname": "benchfamily", "rolename": "benchchild"})["token"])
    xt = call(c, token, "XTokenCreateForUser", {"mode": "token", "identity": parent,
                                                 "finaltime": "1d"})
    with open(out_path, "w") as f:
        f.write("\n".join(kids) + "\n")
    print(xt.get("xtoken") or xt.get("token"))


if __name__ == "__main__":
    main()
