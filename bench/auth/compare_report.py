#!/usr/bin/env python3
"""Builds the JSON array that bench/auth/compare prints, from the files it
wrote to WORK_DIR.

    compare_report.py WORK_DIR SECONDS INPUT_BYTES OPENSSL_VERSION

Reads kit.json and login.json (Google Benchmark reports of bench_auth),
jose.json (bench/auth/jose_verify.mjs), and openssl_sig.txt and
openssl_hmac.txt (`openssl speed -mr` output).
"""
import json
import sys

# The EdDSA target: a whole token verification costs at most 1.1x the raw
# Ed25519 verify, so the kit's rate is at least 1/1.1 of openssl's.
EDDSA_MAX_COST_RATIO = 1.1
HS256_MIN_RATIO_VS_JOSE = 50
CHECK_MAX_NS = 1000


def load_benchmarks(path):
    """Returns a Google Benchmark JSON report's rows by name."""
    with open(path) as f:
        return {row["name"]: row for row in json.load(f)["benchmarks"]}


def parse_openssl_signatures(path):
    """Returns verify/s for ecdsap256 and Ed25519 from `openssl speed -mr`.

    Lines: '+F4:<index>:256:<sign/s>:<verify/s>' for ECDSA P-256 and
    '+F6:<index>:253:Ed25519:<sign/s>:<verify/s>' for Ed25519."""
    verify = {}
    with open(path) as f:
        for line in f:
            fields = line.strip().split(":")
            if fields[0] == "+F4" and fields[2] == "256":
                verify["ES256"] = float(fields[4])
            elif fields[0] == "+F6" and fields[3] == "Ed25519":
                verify["EdDSA"] = float(fields[5])
    missing = {"ES256", "EdDSA"} - verify.keys()
    if missing:
        sys.exit(f"compare: no openssl speed verify rate for {sorted(missing)} in {path}")
    return verify


def parse_openssl_hmac(path, input_bytes):
    """Returns HMAC-SHA-256 computations per second from `openssl speed -mr
    -bytes N -hmac sha256`, whose '+F:<index>:hmac(sha256):<bytes/s>' line
    gives bytes per second."""
    with open(path) as f:
        for line in f:
            fields = line.strip().split(":")
            if fields[0] == "+F" and fields[2] == "hmac(sha256)":
                return float(fields[3]) / input_bytes
    sys.exit(f"compare: no hmac(sha256) rate in {path}")


def hs256_steps(kit):
    """Returns where one HS256 VerifyJwt's CPU time goes, step by step."""
    total = kit["BM_VerifyJwt/hs256"]["cpu_time"]
    steps = [("base64url of the 3 segments", "BM_VerifyJwtStep/base64url"),
             ("header JSON", "BM_VerifyJwtStep/header_json"),
             ("claims JSON", "BM_VerifyJwtStep/claims_json"),
             ("HMAC and compare", "BM_KeyVerify/hs256"),
             ("claims checks", "BM_VerifyJwtStep/claims")]
    parts = [f"{label} {kit[name]['cpu_time']:.0f} ns" for label, name in steps]
    rest = total - sum(kit[name]["cpu_time"] for _, name in steps)
    return (f"One HS256 VerifyJwt took {total:.0f} ns of CPU: "
            + ", ".join(parts) + f", the rest {rest:.0f} ns "
            "(each step timed alone, BM_VerifyJwtStep)")


def entry(name, kit, peer, unit, ratio, target, met, note):
    return {"name": name, "kit": kit, "peer": peer, "unit": unit,
            "ratio": round(ratio, 3) if ratio is not None else None,
            "target": target, "met": met, "note": note}


def main():
    work, seconds, input_bytes, openssl_version = (
        sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    kit = load_benchmarks(f"{work}/kit.json")
    login = load_benchmarks(f"{work}/login.json")
    with open(f"{work}/jose.json") as f:
        jose = json.load(f)
    openssl_verify = parse_openssl_signatures(f"{work}/openssl_sig.txt")
    openssl_verify["HS256"] = parse_openssl_hmac(f"{work}/openssl_hmac.txt",
                                                 input_bytes)

    def jose_rate(alg, api="jwtVerify", key="CryptoKey"):
        for row in jose["results"]:
            if (row["alg"], row["api"], row["key"]) == (alg, api, key):
                return row["per_cpu_second"]
        sys.exit(f"compare: jose.json has no {alg} {api} {key} row")

    jose_name = f"{jose['package']} on node {jose['node']}"
    rows = []

    # 1. The kit's VerifyJwt against jose's jwtVerify.
    for alg, name in (("HS256", "hs256"), ("ES256", "es256"), ("EdDSA", "eddsa")):
        kit_rate = kit[f"BM_VerifyJwt/{name}"]["items_per_second"]
        peer_rate = jose_rate(alg)
        ratio = kit_rate / peer_rate
        note = (f"Kit: VerifyJwt (signature, then exp, nbf, iss, aud). Peer: "
                f"{jose_name}, jwtVerify with a CryptoKey, one await at a time, "
                f"{seconds} s after a 1 s warm-up. Both on core 1, per CPU second. "
                f"jose's compactVerify (JWS only): "
                f"{jose_rate(alg, 'compactVerify'):.0f}/s")
        target = met = None
        if alg == "HS256":
            target = f">= {HS256_MIN_RATIO_VS_JOSE}"
            met = ratio >= HS256_MIN_RATIO_VS_JOSE
            jose_uint8_rate = jose_rate(alg, "jwtVerify", "Uint8Array")
            note += (f". With the secret as a Uint8Array, as jose's README shows, "
                     f"jose verified {jose_uint8_rate:.0f}/s, {kit_rate / jose_uint8_rate:.1f}x below the kit")
            note += ". " + hs256_steps(kit)
        rows.append(entry(f"{alg} token verifications/s, vs jose jwtVerify",
                          round(kit_rate), round(peer_rate), "verifications/s",
                          ratio, target, met, note))

    # 2. The kit's VerifyJwt against the raw primitive in openssl speed.
    raw = {"HS256": f"openssl speed -mr -seconds {seconds} -bytes {input_bytes} "
                    f"-hmac sha256 (HMACs/s = bytes/s / {input_bytes})",
           "ES256": f"openssl speed -mr -seconds {seconds} ecdsap256, verify/s",
           "EdDSA": f"openssl speed -mr -seconds {seconds} ed25519, verify/s"}
    for alg, name in (("HS256", "hs256"), ("ES256", "es256"), ("EdDSA", "eddsa")):
        kit_rate = kit[f"BM_VerifyJwt/{name}"]["items_per_second"]
        key_rate = kit[f"BM_KeyVerify/{name}"]["items_per_second"]
        peer_rate = openssl_verify[alg]
        ratio = kit_rate / peer_rate
        target = met = None
        if alg == "EdDSA":
            target = f">= {1 / EDDSA_MAX_COST_RATIO:.3f} (cost within {EDDSA_MAX_COST_RATIO}x)"
            met = ratio >= 1 / EDDSA_MAX_COST_RATIO
        rows.append(entry(
            f"{alg} token verifications/s, vs the raw primitive in openssl speed",
            round(kit_rate), round(peer_rate), "verifications/s", ratio, target, met,
            f"Kit: the whole VerifyJwt; its signature check alone (Key::Verify) "
            f"ran {key_rate:.0f}/s, {key_rate / peer_rate:.3f}x openssl's rate. "
            f"Peer: {raw[alg]}, {openssl_version}, user CPU time. Both on core 1, "
            f"on a {input_bytes}-byte signing input for the kit"))

    # 3. Logins at the default argon2id cost.
    two_threads = login["BM_Login/threads:2/real_time"]
    one_thread = login["BM_Login/threads:1/real_time"]
    rows.append(entry(
        "logins/s at the default argon2id cost, 2 hasher threads",
        round(two_threads["items_per_second"], 1), None, "logins/s", None, None, None,
        f"PasswordHasher::Login with the right password, argon2id m="
        f"{two_threads['memory_kib']:.0f} KiB t={two_threads['argon2_iterations']:.0f} p=1 "
        f"(auth::Argon2Params defaults, the OWASP minimum), wall time, not "
        f"pinned. With 1 thread: {one_thread['items_per_second']:.1f} logins/s, "
        f"{one_thread['real_time']:.1f} ms per login"))

    # 4. Authorization checks against 10,000 rules.
    check = kit["BM_Check10kRules"]
    check_ns = check["cpu_time"]
    rows.append(entry(
        "authorization check with 10,000 rules", round(check_ns, 1), None,
        "ns per check (CPU)", None, f"< {CHECK_MAX_NS} ns", check_ns < CHECK_MAX_NS,
        f"Policy::Check, random subjects with two roles over 500 roles, 20 "
        f"actions, 10 resource types (bench/auth/policy_bench.cc); "
        f"{check['items_per_second']:.0f} checks per CPU second on core 1"))

    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
