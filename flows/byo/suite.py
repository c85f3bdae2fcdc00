"""The GX suite of a declared source, generated from its mapping's declared fields and values.

Same format as the built-in suite files (expectations/source_*.json), so the same code runs it
and quarantines with its reasons; `tousu sources suite NAME` prints it for review.
"""

from __future__ import annotations

from tousu.flows.byo.mapping import ALLOWED, TIMES, Mapping, column_line

COMPLAINT_ID = r"^\d{6}-\d{5,}$"
LABEL_ZH = {
    "channel": "渠道",
    "category": "类别",
    "urgency": "紧急程度",
    "priority": "优先级",
    "status": "状态",
    "satisfaction": "满意度",
    "sla_met": "时效结论",
}


def _e(check: str, type_: str, en: str, zh: str, **kwargs) -> dict:
    return {
        "type": type_,
        "kwargs": kwargs,
        "meta": {"check": check, "reason_en": en, "reason_zh": zh},
    }


def _literal(text: str) -> str:
    """Text shown as is in a reason template (its braces are not placeholders)."""
    return text.replace("{", "{{").replace("}", "}}")


def _notnull(column: str) -> dict:
    return {"type": "nullity", "column": {"name": column}, "is_null": False}


def view_of(source: str) -> str:
    """The declared source's own staging view (its records of stg.declared_intake)."""
    return f"stg.declared_{source}"


def generate_suite(m: Mapping) -> dict:
    col = {name: f.column for name, f in m.fields.items() if f.column}
    rid = m.field("record_id")
    col["record_id"] = rid.column or (
        " + ".join(rid.columns) if rid.columns else "the record's content hash"
    )
    formats = " or ".join(m.datetime_formats)
    where = m.where
    ex = [
        _e(
            "record_id_present",
            "expect_column_values_to_not_be_null",
            f"{col['record_id']} is empty: every record needs its id",
            f"{col['record_id']} 为空：每条记录都需要编号",
            column="source_ref",
        ),
        _e(
            "received_time_present",
            "expect_column_values_to_not_be_null",
            f"{col['received_at']} is empty: the time the complaint was received is required",
            f"{col['received_at']} 为空：必须有投诉接收时间",
            column="received_at_as_given",
        ),
        _e(
            "received_time_not_in_future",
            "expect_column_values_to_be_between",
            f"{col['received_at']} '{{received_at_as_given}}' is after the night being loaded "
            f"({{run_date}})",
            f"{col['received_at']}“{{received_at_as_given}}”晚于本次加载的日期（{{run_date}}）",
            column="received_at",
            max_value={"$PARAMETER": "run_end"},
        ),
        _e(
            "complaint_id_form",
            "expect_column_values_to_match_regex",
            f"the complaint id '{{complaint_id}}' made by complaint_id '{_literal(m.complaint_id)}' "
            f"is not "
            f"of the form YYYYMM-NNNNN (5 or more digits): change complaint_id or set "
            f"zero_pad in {where}",
            f"按模板生成的投诉编号“{{complaint_id}}”不是 年月-流水号 格式：请修改映射文件 {where}",
            column="complaint_id",
            regex=COMPLAINT_ID,
        ),
    ]
    for name in TIMES:
        if name in col:
            ex.append(
                _e(
                    f"{name.removesuffix('_at')}_time_parses",
                    "expect_column_values_to_not_be_null",
                    f"{col[name]} '{{{name}_as_given}}' is not a date/time of the form "
                    f"{formats} (datetime_formats in {where})",
                    f"{col[name]}“{{{name}_as_given}}”不是 {formats} 格式的日期时间",
                    column=name,
                    row_condition=_notnull(f"{name}_as_given"),
                )
            )
    if m.sla and m.sla.start in m.columns:
        ex.append(
            _e(
                "sla_start_time_parses",
                "expect_column_values_to_not_be_null",
                f"{m.sla.start} '{{sla_start_as_given}}' is not a date/time of the form {formats}",
                f"{m.sla.start}“{{sla_start_as_given}}”无法解析为日期时间",
                column="sla_start_at",
                row_condition=_notnull("sla_start_as_given"),
            )
        )
    if "description" in m.fields:
        ex.append(
            _e(
                "description_present",
                "expect_column_values_to_not_be_null",
                f"{col.get('description', 'description')} is empty: a complaint needs its "
                f"description (or give fields.description.default)",
                "问题描述为空：投诉必须有描述",
                column="description",
            )
        )
    for name, allowed in ALLOWED.items():
        spec = m.field(name)
        if spec is None:
            continue
        label = col.get(name, name)
        line = column_line(m, spec.column) if spec.column else where
        ex.append(
            _e(
                f"{name}_mapped",
                "expect_column_values_to_not_be_null",
                f"{label} '{{{name}_as_given}}' has no mapping onto {name} "
                f"({', '.join(map(str, allowed))}): add it under fields.{name}.values "
                f"({line})",
                f"{label}“{{{name}_as_given}}”没有对应的{LABEL_ZH[name]}：请在映射文件 "
                f"fields.{name}.values 中补充（{line}）",
                column=name,
                row_condition=_notnull(f"{name}_as_given"),
            )
        )
        if name != "sla_met":
            ex.append(
                _e(
                    f"{name}_mapped",
                    "expect_column_values_to_be_in_set",
                    f"{name} '{{{name}}}' is not one of {', '.join(map(str, allowed))}",
                    f"{LABEL_ZH[name]}“{{{name}}}”不在允许范围内",
                    column=name,
                    value_set=list(allowed),
                )
            )
    if "phone" in col:
        ex.append(
            _e(
                "phone_number_valid",
                "expect_column_values_to_not_be_null",
                f"{col['phone']} '{{phone_as_given}}' is not a valid phone number "
                f"(libphonenumber, region {m.phone_region or '{phone_region}'})",
                "电话号码“{phone_as_given}”无效",
                column="phone",
                row_condition=_notnull("phone_as_given"),
            )
        )
    # Times in reasons are shown as the file writes them (the person fixing the record looks
    # for that text, not for the instant in another zone).
    received = col["received_at"]
    for name, label in (
        ("first_response_at", col.get("first_response_at")),
        ("closed_at", col.get("closed_at")),
        ("sla_start_at", m.sla.start if m.sla and m.sla.start in m.columns else None),
    ):
        if label:
            given = "sla_start_as_given" if name == "sla_start_at" else f"{name}_as_given"
            ex.append(
                _e(
                    f"{name.removesuffix('_at')}_not_before_receipt",
                    "expect_column_pair_values_a_to_be_greater_than_b",
                    f"{label} '{{{given}}}' is before the complaint was received "
                    f"({received} '{{received_at_as_given}}'): check the record",
                    f"{label}“{{{given}}}”早于投诉接收时间（{received}“"
                    f"{{received_at_as_given}}”）：请核对记录",
                    column_A=name,
                    column_B="received_at",
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                )
            )
    return {
        "name": f"source_{m.source}",
        "source": m.source,
        "view": view_of(m.source),
        "key": "source_ref",
        "grain": "one row per record of the declared export",
        "id_label": col["record_id"],
        "fix": m.fix,
        "expectations": ex,
        "row_set_checks": [
            {
                "check": "record_not_repeated_in_delivery",
                "why_not_gx": "a record delivered again in a later export "
                "corrects it; twice in one delivery with "
                "different content is ambiguous "
                "(flows/intake/redelivery.py)",
            }
        ],
    }
