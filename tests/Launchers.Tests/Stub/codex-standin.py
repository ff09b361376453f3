# A stand-in for codex that refreshes its ChatGPT tokens the way codex does: POST a refresh_token grant
# (JSON) to the token endpoint, then rewrite ~/.codex/auth.json in place (truncate and write, 0600) with
# the new tokens and a new last_refresh. Its schedule comes from CODEX_STANDIN_PLAN, comma-separated:
#   refresh          one refresh with the refresh token currently in auth.json
#   wait:<path>      wait until <path> exists (a test's go signal)
#   touch:<path>     create <path> (tell the test a step is done)
#   sleep:<ms>       sleep
#   pid:<path>       write this process's pid to <path>
# Each refresh appends "ok" or "failed <status>" to CODEX_STANDIN_LOG (never a token).
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.request

home = os.environ.get("CODEX_HOME") or os.path.join(os.environ["HOME"], ".codex")
auth_path = os.path.join(os.path.realpath(home), "auth.json")
url = os.environ["CODEX_REFRESH_TOKEN_URL_OVERRIDE"]
log_path = os.environ.get("CODEX_STANDIN_LOG")


def log(line):
    if log_path:
        with open(log_path, "a") as f:
            f.write(line + "\n")


def refresh():
    with open(auth_path) as f:
        auth = json.load(f)
    tokens = auth["tokens"]
    body = json.dumps({"client_id": "app_test", "grant_type": "refresh_token",
                       "refresh_token": tokens["refresh_token"], "scope": "openid profile email"}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as e:
        log("failed %d" % e.code)
        return
    tokens["access_token"] = answer["access_token"]
    tokens["refresh_token"] = answer.get("refresh_token", tokens["refresh_token"])
    if answer.get("id_token"):
        tokens["id_token"] = answer["id_token"]
    auth["last_refresh"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fd = os.open(auth_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(auth, f, indent=2)
    log("ok")


for step in filter(None, os.environ.get("CODEX_STANDIN_PLAN", "").split(",")):
    verb, _, arg = step.partition(":")
    if verb == "refresh":
        refresh()
    elif verb == "wait":
        # Bounded, so a test that died never leaves a stand-in behind for long.
        deadline = time.monotonic() + 120
        while not os.path.exists(arg):
            if time.monotonic() > deadline:
                sys.exit("codex stand-in: nobody created " + arg)
            time.sleep(0.005)
    elif verb == "touch":
        open(arg, "a").close()
    elif verb == "pid":
        with open(arg + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename(arg + ".tmp", arg)
    elif verb == "sleep":
        time.sleep(int(arg) / 1000)
    else:
        sys.exit("codex stand-in: unknown step " + step)
