#!/usr/bin/env bash
# Installs, from Debian 12's packages, whatever dunningd needs to build, run
# and test that is not installed yet. Safe to run again: it only installs
# what is missing. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config     # compiler and build system
  liblua5.4-dev lua5.4                 # the rules language (embedded), and luac for analysts
  libevent-dev                         # event loop, HTTP server
  libjansson-dev                       # JSON
  libsqlite3-dev sqlite3               # the embedded default store
  libmariadb-dev                       # MariaDB Connector/C (production store)
  mariadb-server mariadb-client        # the private test server (scripts/mariadb-test-server.sh)
  libcurl4-openssl-dev                 # HTTP/SMTP client for channel drivers
  libssl-dev                           # SHA-256 digests of rule files
  libcmocka-dev                        # C unit tests
  tzdata                               # IANA time zones (and zone.tab, iso3166.tab: countries)
  python3-pytest python3-requests      # integration tests (Debian's /usr/bin/python3)
  python3-pymysql                      # integration tests read the MariaDB store they run on
  valgrind                             # memory checks in the test suite
  kannel                               # SMS gateway (bearerbox + smsbox) the SMS tests run against
  python3-aiosmtpd                     # SMTP server the e-mail tests deliver to
  libespeak-ng-dev espeak-ng-data      # voice robot: local rendering of calls to WAV
  libhpdf-dev fonts-dejavu-core        # letters as PDF (libharu) with an embedded UTF-8 font
  poppler-utils                        # tests: pdftotext/pdffonts read the letters back
  python3-phonenumbers                 # tests: libphonenumber's metadata checks the area-code table
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
