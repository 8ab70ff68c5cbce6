"""A real SMTP server for the integration tests, on loopback (aiosmtpd).

Every message it accepts is written to --dir as NNNNNN.eml (the raw message) with
NNNNNN.json beside it (the envelope: mail_from, rcpt_tos), the .eml renamed into place last so
that a reader never sees half a message. It prints the port it listens on, then serves until
killed.

    python3 sink.py --dir DIR [--port 0] [--mode plain|starttls|smtps --cert PEM --key PEM]
                    [--user U --password P] [--fail-first N] [--reject RCPT] [--delay-ms MS]
"""

import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, out_dir, fail_first, reject, delay_ms):
        self.out_dir = out_dir
        self.fail_first = fail_first
        self.reject = {r.lower() for r in reject}
        self.delay = delay_ms / 1000.0
        self.count = len([n for n in os.listdir(out_dir) if n.endswith(".eml")])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 No such user here (test)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_first > 0:
            self.fail_first -= 1
            return "451 4.3.0 Try again later (test)"
        self.count += 1
        base = os.path.join(self.out_dir, "%06d" % self.count)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=["plain", "starttls", "smtps"], default="plain")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--delay-ms", type=int, default=0)
    args = parser.parse_args()

    tls = None
    if args.mode != "plain":
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == args.user
            and auth_data.password.decode() == args.password
        )
        # handled=False: aiosmtpd answers a failure with 535 itself.
        return AuthResult(success=ok, handled=False)

    handler = Sink(args.dir, args.fail_first, args.reject, args.delay_ms)

    def factory():
        return SMTP(
            handler,
            hostname="localhost",
            tls_context=tls if args.mode == "starttls" else None,
            require_starttls=args.mode == "starttls",
            authenticator=authenticate if args.user else None,
            auth_required=bool(args.user),
            auth_require_tls=args.mode == "starttls",
        )

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            factory, "127.0.0.1", args.port, ssl=tls if args.mode == "smtps" else None
        )
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
