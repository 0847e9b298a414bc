"""`make deploy-check`: the production stack of deploy/, brought up on free local ports and walked through nginx.

Starts, as child processes with a temporary folder: its own PostgreSQL database (created and dropped),
its own `redis-server`, a local SMTP server (aiosmtpd), gunicorn (deploy/gunicorn.conf.py), a Celery
worker and beat, and nginx running deploy/nginx/mentorprogramma.conf with a self-signed certificate,
everything in production mode (DJANGO_ENV=production). Then, over HTTPS through nginx: the home page,
a static file with long cache headers, a sign-up whose confirmation mail arrives at the SMTP server,
a coordinator's login with password and authenticator code, the login rate limit counting per
visitor behind the proxy, the upload limit, and /health/ready. Stops everything it started, also
when a step fails, and ends with "deploy-check: N passed, M failed".

Needs nginx, redis-server, openssl and a PostgreSQL server (DEPLOY_CHECK_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/postgres). `make deploy-check` installs nginx when missing.
"""

import email
import email.policy
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("DEPLOY_CHECK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
HOST = "127.0.0.1"
# Other addresses of the loopback network: two visitors nginx tells apart by their address.
VISITOR_A, VISITOR_B = "127.0.0.2", "127.0.0.3"
TOTP_SECRET = "DEPLOYCHECKCOORDINATORSECRET2345"
PASSWORD = "Deploy-check-wachtwoord-2026"


def log(message: str) -> None:
    print(f"deploy-check: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def port_open(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.3).close()
        return True
    except OSError:
        return False


class CheckFailed(AssertionError):
    pass


def expect(condition, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --- A small HTTPS client: cookies, CSRF, a chosen source address ---------------------------------


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class Browser:
    """One visitor: her cookies, her address (source of the connection), no automatic redirects."""

    def __init__(self, stack, source: str = HOST):
        self.stack = stack
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, body=None, headers=None, scheme="https") -> Response:
        if scheme == "https":
            conn = http.client.HTTPSConnection(
                HOST, self.stack.https_port, context=self.stack.tls, source_address=(self.source, 0), timeout=30
            )
        else:
            conn = http.client.HTTPConnection(HOST, self.stack.http_port, source_address=(self.source, 0), timeout=30)
        all_headers = {"Accept-Language": "nl", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=all_headers)
            raw = conn.getresponse()
            data = raw.read()
            headers_out = {}
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    self.cookies[cookie_name.strip()] = rest.split(";", 1)[0]
                headers_out[name.lower()] = value
            return Response(raw.status, headers_out, data)
        finally:
            conn.close()

    def get(self, path, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path, fields: dict, headers=None) -> Response:
        """POST a form as a browser would: the CSRF token from the cookie, Origin and Referer of the site."""
        data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        origin = self.stack.origin
        return self.request(
            "POST",
            path,
            body=urllib.parse.urlencode(data),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + path,
                **(headers or {}),
            },
        )


# --- The local SMTP server ---------------------------------------------------------------------------


class Mailbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in str(m.get("To", ""))]


def mail_text(message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(part.get_content() for part in parts if part.get_content_type() in ("text/plain", "text/html"))


# --- The stack ------------------------------------------------------------------------------------


class Stack:
    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="mp-deploy-check-"))
        self.tmp.chmod(0o755)  # nginx's worker processes read the static files and the site below it
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.db_name = f"mp_deploy_check_{os.getpid()}"
        self.db_created = False
        self.smtp = None
        self.mailbox = Mailbox()
        self.http_port, self.https_port, self.web_port, self.coordinators_port, self.redis_port, self.smtp_port = (
            free_port() for _ in range(6)
        )
        self.origin = f"https://{HOST}:{self.https_port}"
        self.tls = None
        self.env = None

    # Processes
    def start(self, name, args, env=None, **kwargs) -> subprocess.Popen:
        logfile = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=env or self.env,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )
        self.processes.append((name, process))
        return process

    def manage(self, *args, check=True, input_text=None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            input=input_text,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise CheckFailed(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def psql(self, sql: str) -> None:
        subprocess.run(["psql", POSTGRES_URL, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, timeout=60)

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for name, process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop in 20 s: killed")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if self.smtp:
            self.smtp.stop()
        if self.db_created:
            try:
                self.psql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            except subprocess.CalledProcessError:
                log(f"could not drop database {self.db_name}")
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log_tails(self, lines: int = 25) -> None:
        for path in sorted(self.tmp.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            if text:
                print(f"----- {path.name} (last {len(text)} lines) -----")
                print("\n".join(text))

    # Set-up steps
    def certificate(self) -> None:
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                f"/CN={HOST}",
                "-addext",
                f"subjectAltName=IP:{HOST},DNS:localhost",
                "-keyout",
                str(self.tmp / "tls.key"),
                "-out",
                str(self.tmp / "tls.crt"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        self.tls = ssl.create_default_context(cafile=str(self.tmp / "tls.crt"))

    def environment(self) -> None:
        from cryptography.fernet import Fernet

        redis = f"redis://{HOST}:{self.redis_port}"
        pg = urllib.parse.urlsplit(POSTGRES_URL)
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")}
        self.env = {
            **keep,
            "DJANGO_SETTINGS_MODULE": "mentorprogramma.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "CSRF_TRUSTED_ORIGINS": self.origin,
            "SITE_URL": self.origin,
            "ALLAUTH_TRUSTED_PROXY_COUNT": "1",
            "DATABASE_URL": urllib.parse.urlunsplit(pg._replace(path=f"/{self.db_name}")),
            "REDIS_URL": f"{redis}/0",
            "CACHE_URL": f"{redis}/1",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEETING_NOTES_KEYS": Fernet.generate_key().decode(),
            "EVALUATION_SEAL_KEYS": Fernet.generate_key().decode(),
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(self.smtp_port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_TIMEOUT": "10",
            "STATIC_ROOT": str(self.tmp / "staticfiles"),
            "GUNICORN_BIND": f"{HOST}:{self.web_port}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "4",
            "GUNICORN_COORDINATORS_BIND": f"{HOST}:{self.coordinators_port}",
            "COORDINATORS_WEB_CONCURRENCY": "1",
            "CELERY_CONCURRENCY": "1",
            "HEALTH_BEAT_INTERVAL_SECONDS": "5",
            "LOG_LEVEL": "INFO",
        }

    def database(self) -> None:
        self.psql(f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True

    def redis(self) -> None:
        self.start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", HOST, "--save", "", "--appendonly", "no"],
        )
        expect(wait_until(lambda: port_open(self.redis_port), 15), "redis-server did not start")

    def smtp_server(self) -> None:
        from aiosmtpd.controller import Controller

        self.smtp = Controller(self.mailbox, hostname=HOST, port=self.smtp_port)
        self.smtp.start()

    def nginx_config(self) -> Path:
        site = (BASE_DIR / "deploy" / "nginx" / "mentorprogramma.conf").read_text()
        replacements = [
            ("    listen [::]:80;\n", ""),
            ("    listen [::]:443 ssl http2;\n", ""),
            ("listen 80;", f"listen {HOST}:{self.http_port};"),
            ("listen 443 ssl http2;", f"listen {HOST}:{self.https_port} ssl http2;"),
            ("server_name mentor.example.org;", f"server_name {HOST} localhost;"),
            ("server 127.0.0.1:8000;", f"server {HOST}:{self.web_port};"),
            ("server 127.0.0.1:8001;", f"server {HOST}:{self.coordinators_port};"),
            ("/etc/letsencrypt/live/mentor.example.org/fullchain.pem", str(self.tmp / "tls.crt")),
            ("/etc/letsencrypt/live/mentor.example.org/privkey.pem", str(self.tmp / "tls.key")),
            ("alias /srv/mentorprogramma/staticfiles/;", f"alias {self.tmp / 'staticfiles'}/;"),
            ("root /var/www/letsencrypt;", f"root {self.tmp / 'acme'};"),
        ]
        for old, new in replacements:
            expect(old in site, f"deploy/nginx/mentorprogramma.conf no longer contains {old.strip()!r}")
            site = site.replace(old, new)
        (self.tmp / "site.conf").write_text(site)
        mime_types = "/etc/nginx/mime.types"
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "\n".join(
            f"    {kind}_temp_path {self.tmp / ('nginx-' + kind)};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        conf = self.tmp / "nginx.conf"
        conf.write_text(
            f"{user}worker_processes 1;\npid {self.tmp / 'nginx.pid'};\nerror_log {self.tmp / 'nginx-error.log'};\n"
            f"events {{ worker_connections 256; }}\n"
            f"http {{\n    include {mime_types};\n    default_type application/octet-stream;\n"
            f"    access_log {self.tmp / 'nginx-access.log'};\n{temp}\n    include {self.tmp / 'site.conf'};\n}}\n"
        )
        return conf

    def nginx(self) -> None:
        conf = self.nginx_config()
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        base = [nginx, "-p", str(self.tmp), "-e", str(self.tmp / "nginx-error.log"), "-c", str(conf)]
        test = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)
        expect(test.returncode == 0, f"nginx -t failed:\n{test.stderr}")
        self.start("nginx", [*base, "-g", "daemon off;"])
        expect(wait_until(lambda: port_open(self.https_port), 15), "nginx did not start")

    def web(self) -> None:
        """Both pools, as the two systemd units start them (the coordinators' one at its own address)."""
        gunicorn = [str(VENV_BIN / "gunicorn"), "mentorprogramma.wsgi", "-c", "deploy/gunicorn.conf.py"]
        self.start("gunicorn", gunicorn)
        self.start("gunicorn-coordinators", gunicorn, env={**self.env, "GUNICORN_POOL": "coordinators"})
        expect(wait_until(lambda: port_open(self.web_port), 60), "gunicorn did not start")
        expect(wait_until(lambda: port_open(self.coordinators_port), 60), "the coordinators' gunicorn did not start")

    def served_by_coordinators_pool(self, path: str) -> bool:
        """Whether the coordinators' pool logged a request for `path` (its access log is its output)."""
        log_text = (self.tmp / "gunicorn-coordinators.log").read_text(errors="replace")
        return f'"GET {path} ' in log_text

    def celery(self) -> None:
        celery = str(VENV_BIN / "celery")
        self.start(
            "worker",
            [celery, "-A", "mentorprogramma", "worker", "--loglevel", "INFO", "--concurrency", "1",
             "--without-gossip", "--without-mingle", "--hostname", f"deploy-check-{os.getpid()}@%h"],
        )  # fmt: skip
        self.start(
            "beat",
            [celery, "-A", "mentorprogramma", "beat", "--loglevel", "INFO",
             "--schedule", str(self.tmp / "celerybeat-schedule")],
        )  # fmt: skip


# --- The walk ---------------------------------------------------------------------------------------


def csrf_from(response: Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    return found.group(1) if found else ""


def form_errors(response: Response) -> list[str]:
    found = re.findall(r'class="[^"]*(?:invalid-feedback|errorlist|alert)[^"]*"[^>]*>(.*?)</', response.text, re.S)
    return [re.sub(r"\s+", " ", text).strip() for text in found if text.strip()]


def step_http_redirects(stack: Stack) -> str:
    response = Browser(stack).get("/", scheme="http")
    expect(response.status == 301, f"HTTP / answered {response.status}, expected 301")
    location = response.header("Location")
    expect(location.startswith(f"https://{HOST}"), f"redirect to {location!r}, expected https://")
    return location


def step_home(stack: Stack) -> str:
    response = Browser(stack).get("/")
    expect(response.status == 200, f"home page answered {response.status}")
    expect("Mentorprogramma" in response.text, "home page without the programme's name")
    hsts = response.header("Strict-Transport-Security")
    expect("max-age=" in hsts, "no HSTS header (production settings?)")
    stack.home_html = response.text
    return f"200, {len(response.body)} bytes, HSTS {hsts}"


def step_static(stack: Stack) -> str:
    found = re.search(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', stack.home_html)
    expect(found, "no static CSS or JS linked from the home page")
    path = found.group(1)
    response = Browser(stack).get(path, headers={"Accept-Encoding": "gzip"})
    expect(response.status == 200, f"{path} answered {response.status}")
    cache = response.header("Cache-Control")
    expect("max-age=31536000" in cache and "immutable" in cache, f"{path}: Cache-Control {cache!r}")
    expect(response.header("Expires"), f"{path}: no Expires header")
    return f"{path}: {cache}, {response.header('Content-Encoding') or 'identity'}"


def step_signup_mail(stack: Stack) -> str:
    browser = Browser(stack)
    form = browser.get("/account/signup/")
    expect(form.status == 200, f"sign-up page answered {form.status}")
    stack.coordinator_email = f"coordinator.{os.getpid()}@example.org"
    response = browser.post_form(
        "/account/signup/",
        {
            "csrfmiddlewaretoken": csrf_from(form),
            "full_name": "Carla Coördinator",
            "email": stack.coordinator_email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    expect(response.status == 302, f"sign-up answered {response.status}:\n{response.text[:2000]}")
    started = time.monotonic()
    expect(wait_until(lambda: stack.mailbox.to(stack.coordinator_email), 60), "no confirmation mail within 60 s")
    seconds = time.monotonic() - started
    text = mail_text(stack.mailbox.to(stack.coordinator_email)[0])
    link = re.search(r"https://\S+?/account/confirm-email/[^\s\"<>]+", text)
    expect(link, "the confirmation mail has no confirmation link")
    expect(link.group(0).startswith(stack.origin), f"link {link.group(0)!r} is not on SITE_URL")
    path = urllib.parse.urlsplit(link.group(0)).path
    page = browser.get(path)
    expect(page.status == 200, f"confirmation page answered {page.status}")
    confirmed = browser.post_form(path, {"csrfmiddlewaretoken": csrf_from(page)})
    expect(confirmed.status == 302, f"confirming answered {confirmed.status}")
    return f"mail at the SMTP server {seconds:.1f} s after sign-up; address confirmed"


def step_coordinator_login(stack: Stack) -> str:
    stack.manage("make_coordinator", stack.coordinator_email)
    stack.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; from core.mfa import totp_activate; "
        f"totp_activate(user=get_user_model().objects.get(email={stack.coordinator_email!r}), secret={TOTP_SECRET!r})",
    )
    browser = Browser(stack)
    form = browser.get("/account/login/")
    expect(form.status == 200, f"login page answered {form.status}")
    response = browser.post_form(
        "/account/login/",
        {"csrfmiddlewaretoken": csrf_from(form), "login": stack.coordinator_email, "password": PASSWORD},
    )
    expect(response.status == 302, f"login answered {response.status}")
    expect("/2fa/" in response.header("Location"), f"no second step asked: {response.header('Location')!r}")
    mfa_path = urllib.parse.urlsplit(response.header("Location")).path
    page = browser.get(mfa_path)
    expect(page.status == 200, f"authenticator page answered {page.status}")
    code = (
        stack.manage(
            "shell",
            "-c",
            # A code with at least 8 s to live, so a busy machine cannot let it expire on its way (as the
            # browser tests' second step does).
            "import time; left = 30 - time.time() % 30; time.sleep(left + 0.5 if left < 8 else 0); "
            f"from core.mfa import current_totp_code; print(current_totp_code({TOTP_SECRET!r}))",
        )
        .stdout.strip()
        .splitlines()[-1]
    )  # after the shell's "N objects imported automatically"
    response = browser.post_form(mfa_path, {"csrfmiddlewaretoken": csrf_from(page), "code": code})
    expect(response.status == 302, f"authenticator code answered {response.status}: {form_errors(response)}")
    admin = browser.get("/admin/")
    expect(admin.status == 200, f"the admin answered {admin.status} after logging in")
    cockpit = browser.get("/coordinatie/")
    expect(cockpit.status == 200, f"the coordination page answered {cockpit.status}")
    # nginx sent both to the coordinators' own pool, and the log-in to the members' pool.
    for path in ("/admin/", "/coordinatie/"):
        # gunicorn writes the access line just after the response: give it a moment.
        served = wait_until(lambda path=path: stack.served_by_coordinators_pool(path), 5)
        expect(served, f"{path} was not served by the coordinators' pool")
    expect(not stack.served_by_coordinators_pool("/account/login/"), "the log-in went to the coordinators' pool")
    return "password, then authenticator code; admin and coordination pages open, from the coordinators' pool"


LIMITED = ("Te veel inlogpogingen", "Too many failed login attempts")


def failed_login(browser: Browser, number: int, forged: str | None = None) -> str:
    """ "refused" (wrong password), "limited" (allauth's rate limit) or the unexpected status."""
    form = browser.get("/account/login/")
    headers = {"X-Forwarded-For": forged} if forged else None
    response = browser.post_form(
        "/account/login/",
        {"csrfmiddlewaretoken": csrf_from(form), "login": f"niemand{number}@example.org", "password": "fout"},
        headers=headers,
    )
    if response.status == 429 or any(text in response.text for text in LIMITED):
        return "limited"
    return "refused" if response.status == 200 else str(response.status)


def step_rate_limit_per_visitor(stack: Stack) -> str:
    a, b = Browser(stack, VISITOR_A), Browser(stack, VISITOR_B)
    # She writes another address in X-Forwarded-For each time: nginx appends her real one, which counts.
    statuses = [failed_login(a, n, forged=f"203.0.113.{n}") for n in range(12)]
    expect(statuses[0] == "refused", f"the first failed login: {statuses[0]}")
    expect(statuses[-1] == "limited", f"visitor A was never limited: {statuses}")
    limited_after = statuses.index("limited")
    other = failed_login(b, 99)
    expect(other == "refused", f"visitor B was limited with visitor A ({other})")
    return (
        f"visitor {VISITOR_A} limited after {limited_after} failed logins "
        f"(forged X-Forwarded-For ignored); {VISITOR_B} not"
    )


def step_upload_limit(stack: Stack) -> str:
    response = Browser(stack).request(
        "POST", "/account/login/", body=b"x" * (13 * 1024 * 1024), headers={"Content-Type": "application/octet-stream"}
    )
    expect(response.status == 413, f"a 13 MB upload answered {response.status}, expected 413")
    return "13 MB refused by nginx (413)"


def step_health(stack: Stack) -> str:
    live = Browser(stack).get("/health/live")
    expect(live.status == 200, f"/health/live answered {live.status}")
    outside = Browser(stack, VISITOR_A).get("/health/ready")
    expect(outside.status == 403, f"/health/ready from another address answered {outside.status}, expected 403")
    reports = []

    def ready():
        response = Browser(stack).get("/health/ready")
        reports.append((response.status, response.text))
        return response.status == 200

    # Beat's first heartbeat comes one interval (5 s here) after it started.
    expect(wait_until(ready, 40, every=2), f"/health/ready: {reports[-1] if reports else 'no answer'}")
    report = json.loads(reports[-1][1])
    command = stack.manage("health", check=False)
    expect(command.returncode == 0, f"manage.py health exited {command.returncode}: {command.stdout}")
    return f"live 200; ready 200 ({', '.join(report['checks'])}); manage.py health exit 0; 403 from outside"


STEPS = [
    ("HTTP moves to HTTPS", step_http_redirects),
    ("home page over HTTPS", step_home),
    ("static file with long cache headers", step_static),
    ("sign-up: the confirmation mail arrives", step_signup_mail),
    ("coordinator logs in with password and authenticator code", step_coordinator_login),
    ("login rate limit counts per visitor behind the proxy", step_rate_limit_per_visitor),
    ("upload size limit", step_upload_limit),
    ("/health/live and /health/ready", step_health),
]


def main() -> int:
    for tool in ("redis-server", "openssl", "psql"):
        if not shutil.which(tool):
            log(f"{tool} is not installed")
            return 2
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        log("nginx is not installed (make deploy-check installs it)")
        return 2
    # Stopped from outside (CI's timeout, a kill): still stop everything (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    stack = Stack()
    passed = failed = 0
    walked = False
    setup = [
        ("self-signed certificate (openssl)", stack.certificate),
        ("production environment", stack.environment),
        ("own PostgreSQL database", stack.database),
        ("own redis-server", stack.redis),
        ("local SMTP server (aiosmtpd)", stack.smtp_server),
        ("migrate", lambda: stack.manage("migrate", "--noinput")),
        ("collectstatic", lambda: stack.manage("collectstatic", "--noinput")),
        ("check --deploy", lambda: stack.manage("check", "--deploy", "--fail-level", "WARNING")),
        ("gunicorn (gthread), members' and coordinators' pools", stack.web),
        ("Celery worker and beat", stack.celery),
        ("nginx with TLS", stack.nginx),
    ]
    try:
        for name, action in setup:
            t0 = time.monotonic()
            try:
                action()
            except Exception as exc:  # noqa: BLE001 - reported, then everything is stopped
                failed += 1
                log(f"FAIL start {name}: {exc}")
                stack.log_tails()
                return 1
            log(f"up   {name} ({time.monotonic() - t0:.1f} s)")
        for name, step in STEPS:
            t0 = time.monotonic()
            try:
                detail = step(stack)
            except Exception as exc:  # noqa: BLE001 - one failing step does not hide the others
                failed += 1
                log(f"FAIL {name}: {exc}")
                if not isinstance(exc, CheckFailed):
                    traceback.print_exc()
            else:
                passed += 1
                log(f"ok   {name} ({time.monotonic() - t0:.1f} s): {detail}")
        walked = True
        if failed:
            stack.log_tails()
        return 1 if failed else 0
    finally:
        t0 = time.monotonic()
        stack.stop()
        log(f"stopped everything it started ({time.monotonic() - t0:.1f} s)")
        ended = "" if walked or failed else " (interrupted before the end)"
        log(f"{passed} passed, {failed} failed in {time.monotonic() - started:.0f} s{ended}")


if __name__ == "__main__":
    sys.exit(main())
