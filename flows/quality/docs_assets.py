"""Making the GX Data Docs work without the internet.

GX's Data Docs load jQuery, Bootstrap, bootstrap-table and friends from public CDNs; the index
page lists the validations only once those scripts run. Company networks (and many in China)
block or slow those CDNs, so the same files are taken from the npm registry at install time
(`python -m tousu.flows.quality.docs_assets`, run by `make install`), copied into each night's site
and the CDN addresses rewritten to them. Without them the site keeps the CDN addresses.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

ASSETS_DIR = Path(sys.prefix) / "share" / "tousu" / "data-docs-assets"
REGISTRY = "https://registry.npmjs.org"

# CDN address GX writes -> (npm package, version, file inside the package).
ASSETS = {
    "https://code.jquery.com/jquery-3.7.1.min.js": ("jquery", "3.7.1", "dist/jquery.min.js"),
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper.js",
        "1.12.9",
        "dist/umd/popper.min.js",
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap",
        "4.3.1",
        "dist/js/bootstrap.min.js",
    ),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap",
        "4.3.1",
        "dist/css/bootstrap.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table",
        "1.19.1",
        "dist/bootstrap-table.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table",
        "1.19.1",
        "dist/bootstrap-table.min.css",
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        "bootstrap-table",
        "1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        "bootstrap-table",
        "1.19.1",
        "dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": (
        "bootstrap-datepicker",
        "1.9.0",
        "dist/js/bootstrap-datepicker.min.js",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": (
        "bootstrap-datepicker",
        "1.9.0",
        "dist/css/bootstrap-datepicker.min.css",
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": (
        "@forevolve/bootstrap-dark",
        "1.1.0",
        "dist/css/bootstrap-prefers-dark.css",
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free",
        "6.6.0",
        "css/all.min.css",
    ),
    "https://cdn.jsdelivr.net/npm/vega@5": ("vega", "5.33.1", "build/vega.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-lite@5": ("vega-lite", "5.23.0", "build/vega-lite.min.js"),
    "https://cdn.jsdelivr.net/npm/vega-embed@6": (
        "vega-embed",
        "6.29.0",
        "build/vega-embed.min.js",
    ),
}
# Files a stylesheet above loads relative to itself: (package, version, folder).
FOLDERS = [("@fortawesome/fontawesome-free", "6.6.0", "webfonts")]


def local_path(package: str, version: str, file: str) -> str:
    return f"{package.replace('/', '__')}@{version}/{file}"


def fetch(target: Path = ASSETS_DIR) -> int:
    """Download the packages' files from the npm registry into target; return files written."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for package, version, file in ASSETS.values():
        wanted.setdefault((package, version), set()).add(file)
    for package, version, folder in FOLDERS:
        wanted.setdefault((package, version), set()).add(folder + "/")
    written = 0
    for (package, version), files in wanted.items():
        name = package.rsplit("/", 1)[-1]
        url = f"{REGISTRY}/{package}/-/{name}-{version}.tgz"
        with urllib.request.urlopen(url, timeout=60) as response:
            data = io.BytesIO(response.read())
        with tarfile.open(fileobj=data, mode="r:gz") as archive:
            for member in archive.getmembers():
                inner = member.name.split("/", 1)[1] if "/" in member.name else member.name
                if member.isfile() and any(
                    inner == f or (f.endswith("/") and inner.startswith(f)) for f in files
                ):
                    out = target / local_path(package, version, inner)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(archive.extractfile(member).read())
                    written += 1
    return written


def available(source: Path = ASSETS_DIR) -> bool:
    return all((source / local_path(*asset)).exists() for asset in ASSETS.values())


def make_offline(site: Path, source: Path = ASSETS_DIR) -> bool:
    """Copy the assets into the site and point every page at them; False if they are missing."""
    if not available(source):
        return False
    vendor = site / "static" / "vendor"
    shutil.copytree(source, vendor, dirs_exist_ok=True)
    pattern = re.compile("|".join(re.escape(url) for url in sorted(ASSETS, key=len, reverse=True)))
    for page in site.rglob("*.html"):
        up = "../" * (len(page.relative_to(site).parts) - 1)
        text = page.read_text(encoding="utf-8")
        page.write_text(
            pattern.sub(
                lambda m, up=up: f"{up}static/vendor/{local_path(*ASSETS[m.group(0)])}", text
            ),
            encoding="utf-8",
        )
    return True


if __name__ == "__main__":
    print(f"GX Data Docs assets: {fetch()} files in {ASSETS_DIR}")
