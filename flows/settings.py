"""Settings: one typed object, read from TOUSU_* environment variables (see .env.example)."""

import os
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The company's defaults, written once: the zone of local times and of reporting (a day and a
# month are this zone's), and the region of phone numbers written without a country code.
TIMEZONE = "Asia/Shanghai"
PHONE_REGION = "CN"
# DuckDB's memory for a night by default. The process carries about 1.2 GB of its own besides,
# and with this the first night of a 1,000,000-complaint history and the delta night of a
# 9,000,000-complaint one stay within 2 GiB in about the time 1GB takes (docs/benchmark.md), so
# a growing history does not take the machine.
MEMORY_LIMIT = "768MB"
# The schedules, in TIMEZONE (flows/deployments.py): the night at 02:00, when the channels'
# exports of the day before have arrived; the monthly review pack on the 1st at 06:00, after the
# night, for the month before.
NIGHTLY_CRON = "0 2 * * *"
MONTHLY_REPORT_CRON = "0 6 1 * *"


def default_data_dir() -> Path:
    """Where the warehouse lives when TOUSU_DATA_DIR does not say: a source checkout keeps it
    beside the code (data/, ignored by git); an installed package in the user's data folder
    (XDG_DATA_HOME, else ~/.local/share), never inside site-packages."""
    if (PROJECT_ROOT / "pyproject.toml").exists():
        return PROJECT_ROOT / "data"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "tousu"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOUSU_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    # The nightly writer's file. Readers never open it: they open the published copy.
    warehouse: Path | None = None
    # Consistent read-only copy replaced atomically at the end of each successful night.
    published: Path | None = None
    # Improvement plans, edited in the review app, copied into the warehouse each night.
    plans: Path | None = None
    # Time zone of local wall-clock times in exports that carry no offset.
    timezone: str = TIMEZONE
    # Default phone region for numbers written without a country code.
    phone_region: str = PHONE_REGION
    # The folder of mapping files that declare a company's own exports (default: the bundled
    # warehouse/sources/).
    sources_dir: Path | None = None
    # DuckDB's memory for a night, e.g. "4GB" (what does not fit spills to disk beside the
    # warehouse); MEMORY_LIMIT by default (why that much: there). Set empty
    # (TOUSU_MEMORY_LIMIT=) for DuckDB's own default, 80 % of the machine's memory.
    memory_limit: str | None = MEMORY_LIMIT
    # Where the GX Data Docs site is served (set by `tousu dashboard` for the app it starts).
    data_docs_url: str | None = None
    # The inbox the scheduled nightly reads (`tousu serve` / `tousu deploy` without --inbox).
    inbox: Path | None = None
    # Where alerts go: Apprise URLs separated by spaces or commas, e.g.
    # "mailtos://user:pass@smtp.example.com?to=ops@example.com wecombot://KEY". Unset: the
    # alerts are logged and kept in ops.alerts_sent, nobody is messaged.
    alert_urls: str | None = None
    # The memory the review app's copies of the published warehouse may hold together, in MiB
    # (dashboards/data.py; default: a quarter of the machine's memory). Beyond it the copies
    # used longest ago are let go and built again when their users come back.
    copies_memory_mib: float | None = None

    @property
    def warehouse_path(self) -> Path:
        return self.warehouse or self.data_dir / "tousu.duckdb"

    @property
    def published_path(self) -> Path:
        return self.published or published_path_for(self.warehouse_path)

    @property
    def plans_path(self) -> Path:
        return self.plans or plans_path_beside(self.warehouse_path)

    def published_for(self, warehouse: Path) -> Path:
        """The readers' copy of a writer file: the configured one for the configured warehouse,
        else the file beside it."""
        same = warehouse.resolve() == self.warehouse_path.resolve()
        return self.published_path if same else published_path_for(warehouse)

    def plans_for(self, warehouse: Path) -> Path:
        """The plans file of a writer file (as published_for)."""
        same = warehouse.resolve() == self.warehouse_path.resolve()
        return self.plans_path if same else plans_path_beside(warehouse)


def night_end(run_date: date, timezone: str) -> datetime:
    """The instant a night's figures are as of: midnight after run_date, local time. Records
    received after it are not of this night (a load refuses them as in the future)."""
    return datetime.combine(run_date + timedelta(days=1), datetime.min.time(), ZoneInfo(timezone))


def published_path_for(warehouse: Path) -> Path:
    """Where the read-only copy of a given writer file is published."""
    return warehouse.with_name(warehouse.stem + ".published" + warehouse.suffix)


def plans_path_beside(warehouse_or_published: Path) -> Path:
    """The plans file that goes with a warehouse (or its published copy): in the same folder."""
    return warehouse_or_published.with_name("improvement_plans.duckdb")


# The Data Docs site's own description (flows/quality/gx.py writes it, the review app reads it):
# which night it shows, whether its scripts are local, which earlier nights' sites it keeps.
DATA_DOCS_MANIFEST = "tousu_site.json"


def data_docs_beside(warehouse_or_published: Path) -> Path:
    """The folder of the GX Data Docs site built each night: in the same folder."""
    return warehouse_or_published.with_name("data_docs")


@lru_cache
def get_settings() -> Settings:
    return Settings()


def current_settings() -> Settings:
    """The settings as the environment says now (not cached): for what must see a change made
    after the process started (the next night's mapping folder, the app a CLI started)."""
    return Settings()
