"""CPU milliseconds per request of each bench/run.py page, in process (Flask test client,
time.process_time): a comparison that a loaded, shared machine disturbs much less than wall
time.    .venv/bin/python bench/cpu.py"""
import sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "bench"))
from seed import USER_AGENT, migrate, seed
folder = Path(tempfile.mkdtemp())
url = f"sqlite:///{folder/'b.db'}"
migrate(url, folder)
data = seed(url, folder, 60)
from academy import create_app
app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "MAIL_OUTBOX": str(folder)})
c = app.test_client()
name, _, value = data["cookie"].partition("=")
c.set_cookie(name, value)
H = {"Accept-Encoding": "br, gzip", "Sec-Fetch-Site": "same-origin", "User-Agent": USER_AGENT}
def cpu(path, n=40, client=c):
    client.get(path, headers=H)
    t = time.process_time()
    for _ in range(n):
        r = client.get(path, headers=H); assert r.status_code == 200, (path, r.status_code)
    return (time.process_time() - t) / n * 1000
anon = app.test_client()
t = time.process_time()
for _ in range(200): anon.get("/healthz")
base = (time.process_time() - t) / 200 * 1000
print(f"healthz {base:.2f} ms CPU")
for k in ("lesson", "course", "dashboard", "catalogue", "glossary", "css"):
    print(f"{k:10} {cpu(data['paths'][k]):7.2f} ms CPU")
# quiz submissions: 50 distinct learners
t = time.process_time(); n = 0
for line in data["quiz"][:50]:
    path, cookie, body = line.split("\t")
    q = app.test_client(); q.set_cookie(name, cookie.partition("=")[2])
    r = q.post(path, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.status_code == 302, r.status_code; n += 1
print(f"{'submit':10} {(time.process_time() - t) / n * 1000:7.2f} ms CPU")
