"""Kamailio on loopback as the operator's SIP proxy that asks every INVITE for the trunk's
password, for the phone survey's real-call tests and its calls benchmark (one copy of the
configuration and of the start-up wait)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import IO

REALM = "trunk.test"

KAMAILIO_CFG = """#!KAMAILIO
debug=1
log_stderror=yes
children={children}
listen=udp:127.0.0.1:{port}
mpath="{modules}/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "auth.so"

request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (has_totag()) {{
        if (loose_route()) {{ t_relay(); exit; }}
        if (is_method("ACK")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
        sl_send_reply("404", "Not here");
        exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
    if (is_method("INVITE")) {{
        if (!pv_proxy_authenticate("{realm}", "{password}", "0")) {{
            proxy_challenge("{realm}", "0");
            exit;
        }}
        consume_credentials();
        record_route();
    }}
    remove_hf("Route");
    t_relay();
}}
"""


def kamailio_modules() -> str:
    """Debian's module folder for this machine's architecture."""
    found = sorted(glob.glob("/usr/lib/*/kamailio/modules"))
    return found[0] if found else "/usr/lib/x86_64-linux-gnu/kamailio/modules"


def wait_for_udp_listener(
    port: int, process: subprocess.Popen[str], name: str, seconds: float = 10.0
) -> None:
    """Until `process` has bound the UDP port (it is ready to answer SIP)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{name} does not listen on UDP {port}")


def start_kamailio(
    work: Path,
    port: int,
    password: str,
    *,
    children: int = 2,
    memory_mb: int = 32,
    stderr: int | IO[str] | None = subprocess.DEVNULL,
) -> subprocess.Popen[str]:
    """Start Kamailio in the foreground with its files in `work`, and wait until it listens."""
    config = work / "kamailio.cfg"
    config.write_text(
        KAMAILIO_CFG.format(
            port=port,
            password=password,
            children=children,
            realm=REALM,
            modules=kamailio_modules(),
        ),
        encoding="ascii",
    )
    process = subprocess.Popen(
        [
            shutil.which("kamailio") or "/usr/sbin/kamailio",
            *("-f", str(config), "-DD", "-E", "-m", str(memory_mb), "-M", "8"),
            *("-Y", str(work), "-P", str(work / "kamailio.pid"), "-w", str(work)),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
        env={**os.environ, "HOME": str(work)},
    )
    wait_for_udp_listener(port, process, "Kamailio")
    return process
