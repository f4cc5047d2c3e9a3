"""End to end in a real headless Chromium (selenium + chromedriver): OIDC login through the IdP mock and the
TOTP code; a backport requested from its form (a bad entry refused next to the field, then a Gerrit URL), its
change's title shown, "Ready" and scap's two prompts clicked (a notification for the second), finished; a deploy
queued from the form, "Ready" and scap's canary prompt clicked, finished; a change whose title is markup stays
text; the Account page enrols an authenticator app (secret and QR code after a fresh code); a hostile log line
stays text; an admin freezes from the admin page and the deployer sees it; the deployer's page is closed by a
ban; no console errors. Screenshots go to SCREENSHOT_DIR.

Environment: SP_BASE, SP_CONFIG, SP_BIN (the spiderpig executable), SCREENSHOT_DIR, SP_CHANGE (the number of a
change pushed for review), SP_CHANGE_SUBJECT (its title) and SP_HOSTILE_CHANGE (a change whose title is markup).
"""
import os
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["SP_BASE"]
CONFIG = os.environ["SP_CONFIG"]
BIN = os.environ["SP_BIN"]
SHOTS = os.environ.get("SCREENSHOT_DIR", ".")
CHANGE = os.environ.get("SP_CHANGE", "")
CHANGE_SUBJECT = os.environ.get("SP_CHANGE_SUBJECT", "")
HOSTILE_CHANGE = os.environ.get("SP_HOSTILE_CHANGE", "")


def browser(width=1280, height=900):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def otp(user):
    env = dict(os.environ)
    env.pop("SUDO_USER", None)
    return subprocess.run([BIN, "otp", "--quiet", "--user", user, "--config", CONFIG], check=True,
                          capture_output=True, text=True, env=env).stdout.strip()


def login(driver, user):
    wait = WebDriverWait(driver, 30)
    driver.get(BASE + "/")
    wait.until(EC.element_to_be_clickable((By.ID, "login"))).click()
    field = wait.until(EC.presence_of_element_located((By.NAME, "sub")))  # the IdP's form
    field.send_keys(user)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]:not([name=action])").click()
    code = wait.until(EC.presence_of_element_located((By.ID, "otp-code")))
    for attempt in range(2):
        code.clear()
        code.send_keys(otp(user))
        driver.find_element(By.CSS_SELECTOR, "#otp button[type=submit]").click()
        try:
            WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "queue")))
            return
        except Exception:
            # This 30 s step's code was used already (an earlier login): the next step's code is new.
            error = driver.find_element(By.ID, "otp-error").text
            check("already used" in error and attempt == 0, "the code was refused: " + error)
            time.sleep(31 - time.time() % 30)


def click_when_ready(driver, selector, timeout=120):
    """Clicks `selector` once clickable; the prompt is re-rendered when records arrive, so a stale element is
    looked up again."""
    deadline = time.time() + timeout
    while True:
        try:
            WebDriverWait(driver, max(1, deadline - time.time()), ignored_exceptions=[StaleElementReferenceException]).until(
                EC.element_to_be_clickable((By.CSS_SELECTOR, selector))).click()
            return
        except StaleElementReferenceException:
            if time.time() > deadline:
                raise


def check(condition, message):
    if not condition:
        print("FAILED: " + message, file=sys.stderr)
        sys.exit(1)


def console_errors(driver):
    """Errors in the console of SpiderPig's pages: CSP violations, exceptions. Failed requests are left out (the
    IdP mock's page loads a stylesheet from the internet; API refusals such as a bad backport request are shown in
    the page)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]


def backport(alice):
    """A backport from the form, answered by clicking; the job page is the README's picture."""
    wait = WebDriverWait(alice, 180)
    field = alice.find_element(By.ID, "backport-changes")
    field.send_keys(CHANGE + ", not-a-change")
    alice.find_element(By.CSS_SELECTOR, "#request-backport button[type=submit]").click()
    error = wait.until(EC.visibility_of_element_located((By.ID, "backport-error")))
    check("not-a-change" in error.text, "the bad entry is named next to the field: " + error.text)
    check(field.get_attribute("aria-invalid") == "true", "the field is marked invalid")
    # The server decides too: an entry that looks like a URL but names no change.
    field.clear()
    field.send_keys("https://gerrit.example.org/r/c/mediawiki/core/+/notanumber")
    alice.find_element(By.CSS_SELECTOR, "#request-backport button[type=submit]").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "backport-error"), "not a change"))
    field.clear()
    field.send_keys("https://gerrit.example.org/r/c/mediawiki/core/+/" + CHANGE)
    alice.find_element(By.CSS_SELECTOR, "#request-backport button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#queue [data-change='%s']" % CHANGE)))
    check(alice.find_element(By.ID, "backport-error").is_displayed() is False, "no error after a good request")
    ready = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "[data-ready] button[data-answer=ready]")))
    ready.click()
    wait.until(EC.url_contains("/jobs/"))
    # scap's description of the change: title, project and branch, as text.
    wait.until(EC.text_to_be_present_in_element((By.ID, "job-summary"), CHANGE_SUBJECT))
    summary = alice.find_element(By.ID, "job-summary").text
    check("mediawiki/core" in summary and "main" in summary, "project and branch shown: " + summary)
    # Notifications: allowed for the page, and recorded (the real constructor still runs) to see that the next
    # prompt of alice's job asks for her attention.
    alice.execute_cdp_cmd("Browser.grantPermissions", {"origin": BASE, "permissions": ["notifications"]})
    alice.execute_script(
        "window.notified = []; const Real = window.Notification;"
        "window.Notification = function (title, options) { window.notified.push(title + ': ' + options.body);"
        "  try { return new Real(title, options); } catch (e) { return {}; } };"
        "window.Notification.permission = 'granted';")
    click_when_ready(alice, "#prompt-top button[data-code=y]", timeout=180)  # Backport the changes?
    WebDriverWait(alice, 180, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: "Continue with deployment?" in d.find_element(By.ID, "prompt-top").text)
    notified = alice.execute_script("return window.notified")
    check("SpiderPig needs you: Continue with deployment?" in notified, "a notification for alice's prompt: %r" % notified)
    for _ in range(6):
        if alice.find_elements(By.CSS_SELECTOR, "#charts svg polyline"):
            break
        time.sleep(2)
        alice.refresh()
        WebDriverWait(alice, 60, ignored_exceptions=[StaleElementReferenceException]).until(
            EC.element_to_be_clickable((By.CSS_SELECTOR, "#prompt-bottom button[data-code=y]")))
    time.sleep(1)
    alice.save_screenshot(os.path.join(SHOTS, "spiderpig-job.png"))
    click_when_ready(alice, "#prompt-bottom button[data-code=y]", timeout=60)  # Continue with deployment?
    finish = WebDriverWait(alice, 240).until(EC.element_to_be_clickable((By.ID, "act-finish")))
    log = alice.find_element(By.ID, "log").text
    check("[alice answered 'y']" in log, "the answers are in the log")
    alice.save_screenshot(os.path.join(SHOTS, "spiderpig-backport-done.png"))
    finish.click()
    WebDriverWait(alice, 20).until(EC.text_to_be_present_in_element((By.ID, "job-state"), "finished"))
    # The history lists the change with its title and links to the job.
    alice.get(BASE + "/")
    row = WebDriverWait(alice, 20).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, "#history [data-change='%s']" % CHANGE)))
    check(CHANGE_SUBJECT in row.text, "the history shows the change's title: " + row.text)


def hostile_title(carol):
    """A change whose title is markup: shown as text on the job page; carol declines "Backport the changes?"."""
    carol.get(BASE + "/")
    field = WebDriverWait(carol, 20).until(EC.presence_of_element_located((By.ID, "backport-changes")))
    field.send_keys(HOSTILE_CHANGE)
    carol.find_element(By.CSS_SELECTOR, "#request-backport button[type=submit]").click()
    WebDriverWait(carol, 60).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "[data-ready] button[data-answer=ready]"))).click()
    WebDriverWait(carol, 20).until(EC.url_contains("/jobs/"))
    WebDriverWait(carol, 120).until(EC.text_to_be_present_in_element((By.ID, "job-summary"), "<img src=x"))
    check(not carol.find_elements(By.CSS_SELECTOR, "#job-summary img, #job-summary b"), "no element from a title")
    check(carol.title != "pwned", "no script ran from a change title")
    click_when_ready(carol, "#prompt-top button[data-code=n]", timeout=120)
    WebDriverWait(carol, 120).until(lambda d: "scap exited" in d.find_element(By.ID, "log").text)
    carol.get(BASE + "/")
    WebDriverWait(carol, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#history [data-change]")))
    check(not carol.find_elements(By.CSS_SELECTOR, "#history img, #queue img"), "no element from a title in lists")


def enrol(driver, user):
    """The Account page: a fresh code (the next 30 s step's, from the otpauth URL with pyotp) shows the secret and
    the QR code image drawn by the server."""
    import pyotp
    env = dict(os.environ)
    env.pop("SUDO_USER", None)
    url = subprocess.run([BIN, "otp", "--qr", "--user", user, "--config", CONFIG], capture_output=True, text=True,
                         env=env).stdout.splitlines()[0]
    driver.get(BASE + "/account")
    field = WebDriverWait(driver, 20).until(EC.presence_of_element_located((By.ID, "enrol-code")))
    field.send_keys("12")
    driver.find_element(By.CSS_SELECTOR, "#enrol button[type=submit]").click()
    check("six digits" in driver.find_element(By.ID, "enrol-error").text, "a short code is refused in the page")
    field.clear()
    field.send_keys(pyotp.parse_uri(url).at(time.time() + 30))
    driver.find_element(By.CSS_SELECTOR, "#enrol button[type=submit]").click()
    WebDriverWait(driver, 20).until(EC.visibility_of_element_located((By.ID, "enrolment")))
    secret = driver.find_element(By.ID, "enrol-secret").text
    check(secret and ("secret=" + secret) in url, "the secret shown is the otpauth URL's")
    if os.path.exists("/usr/bin/qrencode"):
        width = driver.execute_script("return document.getElementById('enrol-qr').naturalWidth")
        check(width > 0, "the QR code image is drawn")
    driver.save_screenshot(os.path.join(SHOTS, "spiderpig-account.png"))


def main():
    alice = browser(1280, 1000)
    carol = browser(1000, 800)
    narrow = None
    try:
        login(alice, "alice")
        login(carol, "carol")
        wait = WebDriverWait(alice, 120)
        if CHANGE:
            backport(alice)
            alice.get(BASE + "/")
            wait.until(EC.presence_of_element_located((By.ID, "request-deploy")))

        hostile = "<img src=x onerror=document.title='pwned'> &amp; <b>bold</b>"
        form = alice.find_element(By.ID, "request-deploy")
        options = [o.text for o in form.find_elements(By.CSS_SELECTOR, "select[name=repository] option")]
        check(options == ["web"], "the deploy form lists the service repositories only: %r" % options)
        form.find_element(By.NAME, "message").send_keys(hostile)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        ready = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "[data-ready] button[data-answer=ready]")))
        alice.save_screenshot(os.path.join(SHOTS, "spiderpig-queue.png"))
        ready.click()
        wait.until(EC.url_contains("/jobs/"))
        wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#prompt-top button[data-code=y]")))
        check(alice.find_element(By.CSS_SELECTOR, "#prompt-bottom button[data-code=y]").is_displayed(),
              "the prompt is pinned at the bottom too")
        # Reopened, the page shows the same pending prompt (from the server); for the screenshot, reopen until the
        # panel has Prometheus data (the API test checks that data).
        for _ in range(4):
            time.sleep(3)
            alice.refresh()
            WebDriverWait(alice, 60, ignored_exceptions=[StaleElementReferenceException]).until(
                EC.element_to_be_clickable((By.CSS_SELECTOR, "#prompt-top button[data-code=y]")))
            time.sleep(1)
            if alice.find_elements(By.CSS_SELECTOR, "#charts svg"):
                break
        alice.save_screenshot(os.path.join(SHOTS, "spiderpig-prompt.png"))
        click_when_ready(alice, "#prompt-top button[data-code=y]")
        finish = wait.until(EC.element_to_be_clickable((By.ID, "act-finish")))
        log = alice.find_element(By.ID, "log").text
        check("Started deploy [" in log, "the log shows scap's lines: " + log[:500])
        check("<img src=x onerror=" in log, "the hostile message is shown as text")
        check(alice.title != "pwned", "no script ran from a log line")
        check(len(alice.find_elements(By.CSS_SELECTOR, "#log img")) == 0, "no element was made from a log line")
        check("[alice answered 'y']" in log, "the answer is in the log")
        alice.save_screenshot(os.path.join(SHOTS, "spiderpig-deploy.png"))
        finish.click()
        WebDriverWait(alice, 20).until(
            EC.text_to_be_present_in_element((By.ID, "job-state"), "finished"))

        if HOSTILE_CHANGE:
            hostile_title(carol)
        enrol(carol, "carol")

        # The admin freezes; the deployer's queue page shows it, pushed over the WebSocket.
        alice.get(BASE + "/")
        WebDriverWait(alice, 20).until(EC.presence_of_element_located((By.ID, "queue")))
        carol.get(BASE + "/admin")
        reason = WebDriverWait(carol, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#freeze input")))
        reason.send_keys("release train")
        carol.find_element(By.CSS_SELECTOR, "#freeze button").click()
        WebDriverWait(alice, 20).until(EC.text_to_be_present_in_element((By.ID, "frozen"), "release train"))
        alice.save_screenshot(os.path.join(SHOTS, "spiderpig-frozen.png"))
        carol.find_element(By.ID, "unfreeze").click()
        WebDriverWait(alice, 20).until(EC.invisibility_of_element_located((By.ID, "frozen")))

        # A narrow window still shows the job page without horizontal overflow.
        narrow = browser(400, 800)
        login(narrow, "bob")
        WebDriverWait(narrow, 20).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#history a"))).click()
        WebDriverWait(narrow, 20).until(EC.url_contains("/jobs/"))
        try:
            WebDriverWait(narrow, 30).until(
                lambda d: "scap exited with status" in d.execute_script("return document.getElementById('log').textContent"))
        except Exception:
            text = narrow.execute_script("return document.getElementById('log').textContent")
            print("narrow page %s log=%r console=%r" % (narrow.current_url, text[-300:], narrow.get_log("browser")),
                  file=sys.stderr)
            raise
        overflow = narrow.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
        narrow.save_screenshot(os.path.join(SHOTS, "spiderpig-narrow.png"))
        check(not overflow, "the narrow job page overflows horizontally")

        # Ban: bob's open page loses its live connection and goes to the login page.
        user = carol.find_element(By.CSS_SELECTOR, "#user-action input[name=user]")
        user.send_keys("bob")
        carol.find_element(By.CSS_SELECTOR, "#user-action button[value=ban]").click()
        WebDriverWait(narrow, 20).until(EC.url_contains("/login"))
        for name, driver in (("alice", alice), ("carol", carol)):
            errors = console_errors(driver)
            check(not errors, "console errors in %s's browser: %r" % (name, errors))
        print("e2e ok")
    finally:
        for driver in (alice, carol, narrow):
            if driver is not None:
                driver.quit()


if __name__ == "__main__":
    main()
