# SpiderPig: its tests and demo use a real OpenID Connect provider (oidc-provider-mock), pyotp to check TOTP
# codes, and a real headless Chromium driven by selenium through chromedriver.
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)
[[ -f /usr/include/sqlite3.h ]] || packages+=(libsqlite3-dev)   # GRDB links the system SQLite
pip_packages+=(oidc-provider-mock==0.3.4 pyotp==2.9.0 selenium==4.27.1)
[[ -x /usr/bin/prometheus ]] || packages+=(prometheus)           # the monitoring panel's test data source
command -v qrencode >/dev/null 2>&1 || packages+=(qrencode)     # `spiderpig otp --qr` and the enrolment page's QR code
