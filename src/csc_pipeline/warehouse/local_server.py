"""A throwaway local PostgreSQL cluster inside the project's state folder.

Debian's server binaries are used (any installed version, the newest wins).
`initdb` refuses to run as root, so when we are root the server runs as the
`postgres` OS user, which then owns the data and socket directories. The
server listens on 127.0.0.1 only, on a free port, with password authentication
(the password is generated and kept in the state folder, readable by its owner).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "csc"
DATABASES = ("warehouse", "airflow")


class LocalServerError(RuntimeError):
    pass


@dataclass(frozen=True)
class LocalServer:
    root: Path  # <state>/postgres

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def port_file(self) -> Path:
        return self.root / "port"

    @property
    def password_file(self) -> Path:
        return self.root / "password"

    def dsn(self, database: str = "warehouse") -> str:
        port = self.port_file.read_text().strip()
        password = self.password_file.read_text().strip()
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/{database}"

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        result = self._run_as_owner([str(pg_bin("pg_ctl")), "-D", str(self.data_dir), "status"], check=False)
        return result.returncode == 0

    def start(self, *, for_tests: bool = False) -> str:
        """Initialise (first time) and start the cluster; return the warehouse DSN."""
        if not self.is_initialised():
            self._initdb()
        if not self.is_running():
            port = _free_port()
            self.port_file.write_text(f"{port}\n")
            # terse: the server log gets no CONTEXT lines, where COPY errors quote the offending line.
            options = [f"-p {port}", "-c listen_addresses=127.0.0.1", f"-k {self.socket_dir}",
                       # Keep data out of the server's log (a failed COPY's CONTEXT and STATEMENT
                       # quote the file's line): docs/operations.md, "An existing warehouse server".
                       "-c log_error_verbosity=terse", "-c log_min_error_statement=panic",
                       "-c log_statement=none"]
            if for_tests:
                # Safe only for throwaway test clusters: a crash may lose data.
                options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
            self._run_as_owner([
                str(pg_bin("pg_ctl")), "-D", str(self.data_dir), "-l", str(self.log_file),
                "-o", " ".join(options), "-w", "-t", "60", "start",
            ])
        self._create_databases()
        return self.dsn()

    def stop(self) -> bool:
        if not self.is_running():
            return False
        self._run_as_owner([str(pg_bin("pg_ctl")), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])
        return True

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- internals -------------------------------------------------------

    def _initdb(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        _check_reachable(self.root, _server_owner())
        self.socket_dir.mkdir(exist_ok=True)
        self.password_file.write_text(secrets.token_urlsafe(24) + "\n")
        os.chmod(self.password_file, 0o600)
        owner = _server_owner()
        pwfile = self.root / "initdb.pw"
        pwfile.write_text(self.password_file.read_text())
        for path in (self.root, self.socket_dir, pwfile):
            _chown(path, owner)
        self.log_file.touch()
        _chown(self.log_file, owner)
        try:
            self._run_as_owner([
                str(pg_bin("initdb")), "-D", str(self.data_dir), "-U", SUPERUSER,
                f"--pwfile={pwfile}", "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                "--encoding=UTF8", "--locale=C.UTF-8",
            ])
        finally:
            pwfile.unlink(missing_ok=True)

    def _create_databases(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            existing = {r[0] for r in conn.execute("select datname from pg_database")}
            for db in DATABASES:
                if db not in existing:
                    conn.execute(f'create database "{db}"')

    def _run_as_owner(self, argv: list[str], *, check: bool = True) -> subprocess.CompletedProcess:
        tool = Path(argv[0]).name
        if os.geteuid() == 0:
            argv = ["runuser", "-u", _server_owner(), "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, cwd="/")
        if check and result.returncode != 0:
            raise LocalServerError(
                f"{tool} failed (exit {result.returncode}): "
                f"{result.stderr.strip() or result.stdout.strip()}\nServer log: {self.log_file}"
            )
        return result


def pg_bin(name: str) -> Path:
    """The newest installed Debian PostgreSQL's binary `name` (version detected, not assumed)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    found = shutil.which(name)
    if found:
        return Path(found)
    raise LocalServerError(
        f"PostgreSQL's {name} was not found. Install Debian's server with "
        "`apt-get install -y postgresql` (make demo / make test do this when run as root)."
    )


def _server_owner() -> str:
    """Root cannot run initdb: use the `postgres` OS user Debian's package creates."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise LocalServerError("running as root but there is no `postgres` OS user; install postgresql") from exc
    return "postgres"


def _check_reachable(path: Path, user: str) -> None:
    """The server's OS user must be able to walk down to its data directory."""
    if os.geteuid() != 0:
        return
    for parent in path.resolve().parents:
        if not parent.stat().st_mode & 0o001:
            raise LocalServerError(
                f"the {user} OS user cannot enter {parent} (mode {oct(parent.stat().st_mode & 0o777)}); "
                f"choose a state folder ({'CSC_STATE_DIR'}) under world-searchable directories"
            )


def _chown(path: Path, user: str) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
