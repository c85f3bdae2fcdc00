"""Chinese and English labels. Category, urgency and department names stay Chinese (the seed
process's terms), with an English gloss in English mode."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from tousu.flows.vocab import CATEGORY_EN, CHANNELS

TEXT = {
    "app_title": ("投诉数据复盘", "Complaint review"),
    "language": ("语言", "Language"),
    "overview": ("总览", "Overview"),
    "sla": ("时效 SLA", "SLA"),
    "repeats": ("重复投诉", "Repeat complaints"),
    "departments": ("部门", "Departments"),
    "problem_types": ("问题类型", "Problem types"),
    "complaint": ("投诉详情", "Complaint detail"),
    "data_quality": ("数据质量", "Data quality"),
    "month": ("月份", "Month"),
    "channel": ("渠道", "Channel"),
    "department": ("部门", "Department"),
    "category": ("类别", "Category"),
    "priority": ("优先级", "Priority"),
    "all": ("全部", "All"),
    "volume": ("投诉量", "Complaints"),
    "sla_compliance": ("SLA 达标率", "SLA compliance"),
    "no_target": ("无时限", "Without a target"),
    "no_target_count": (
        "另有 {n:,} 条无时限（未计入达标率）",
        "{n:,} more without a target (not in the rate)",
    ),
    "no_target_help": (
        "记录没有截止日期：不计入达标率",
        "The record has no due date: not in the rate",
    ),
    "repeat_rate": ("重复投诉率", "Repeat rate"),
    "csat": ("满意率", "CSAT"),
    "closure_rate": ("结案率", "Closure rate"),
    "overdue_open": ("超时未结", "Overdue open"),
    "vs_previous": ("较上期", "vs previous period"),
    "no_data": (
        "暂无数据：请先运行夜间流程 (tousu nightly)。",
        "No data yet: run the nightly flow first (tousu nightly).",
    ),
    "as_of": ("数据截至", "Data as of"),
    "clock": ("时效节点", "Clock"),
    "breaches": ("超时清单", "Breach list"),
    "at_risk": ("即将超时", "At risk"),
    "compliance_by": (
        "达标率（按节点、渠道、优先级）",
        "Compliance by clock, channel and priority",
    ),
    "trend": ("趋势", "Trend"),
    "chains": ("重复投诉链", "Repeat chains"),
    "pending_note": (
        "窗口未满的投诉计为待定，不计入回头率分母。",
        "Complaints whose window has not passed are pending and not in the came-back rate.",
    ),
    "complaint_id": ("投诉编号", "Complaint id"),
    "timeline": ("处理时间线", "Timeline"),
    "followups": ("满意度回访", "Follow-ups"),
    "clocks": ("时效", "Clocks"),
    "not_found": ("未找到该投诉。", "No such complaint."),
    "complaint_search": (
        "查找投诉：编号、电话、邮箱、订单号或会员号",
        "Find a complaint: id, phone, e-mail, order or member number",
    ),
    "complaint_search_help": (
        "按完整号码精确匹配；只显示您有权查看的投诉，个人信息仍为脱敏显示。",
        "Matched exactly on the whole number; only complaints you may see are shown, personal data stays masked.",
    ),
    "found_several": ("找到 {n:,} 条投诉，请选择一条：", "{n:,} complaints found: pick one."),
    "customer_others": ("该客户的其他投诉", "The customer's other complaints"),
    "repeat_chain": ("所在重复投诉链", "Its repeat chain"),
    "back_to": ("返回", "Back to"),
    "complaints": ("投诉清单", "Complaint list"),
    "complaint_list": ("清单", "List"),
    "list_received": ("期间内收到的投诉", "Received in the period"),
    "list_repeat": ("重复投诉", "Repeat complaints"),
    "list_not_closed": ("未结案", "Not closed"),
    "list_breached": ("有时效超时", "With a breached clock"),
    "list_overdue_open": ("超时未结（当前）", "Overdue and open now"),
    "overdue_open_help": (
        "当前仍未结、且至少一个时效节点已超过截止时间的投诉（不限月份）。",
        "Complaints open now with at least one clock past its deadline (any month).",
    ),
    "drill_hint": ("点击图形查看对应投诉", "click a mark to list its complaints"),
    "pareto": ("帕累托图", "Pareto"),
    "alerts_now": ("需要关注", "Needs attention"),
    # the monthly review pack (dashboards/report)
    "report_title": ("投诉数据月度复盘报告 · {month}", "Monthly complaint review · {month}"),
    "report_period": ("报告期间", "Period"),
    "report_filters": ("筛选条件", "Filters"),
    "report_night": ("数据来源：已发布的夜间数据", "Built from the published night of"),
    "report_built": ("生成时间", "Generated"),
    "report_contents": ("目录", "Contents"),
    "report_kpis": ("核心指标", "Headline figures"),
    "report_maturity": (
        "本月仍有 {open:,} 件未结案、{pending:,} 件回访未到期。",
        "{open:,} of the month's complaints are still open and {pending:,} follow-ups are not yet due.",
    ),
    "report_worst_breaches": ("本月最严重的超时（前 20）", "The month's worst breaches (top 20)"),
    "report_warnings": ("本月预警周数：{n}", "Early-warning weeks this month: {n}"),
    "report_quality_none": ("本月数据全部通过校验。", "Every check passed for this month's data."),
    "report_definitions": ("指标定义", "Definitions"),
    "report_weekly_warnings": ("本月的预警周", "Early-warning weeks of the month"),
    "report_prepare": (
        "生成本月复盘报告（PDF 与 Excel）",
        "Prepare this month's review pack (PDF and Excel)",
    ),
    "report_preparing": ("正在生成报告…", "Preparing the report…"),
    "period": ("期间", "Period"),
    "period_month": ("月", "Month"),
    "period_quarter": ("季度（截至所选月）", "Quarter (to the month chosen)"),
    "period_ytd": ("年初至今", "Year to date"),
    "period_rolling12": ("滚动 12 个月", "Rolling 12 months"),
    "period_custom": ("自定义月份范围", "Custom range of months"),
    "period_end": ("截至月份", "Up to month"),
    "period_start": ("起始月份", "From month"),
    "keywords_of_month": (
        "高频词按月统计：以下为 {month} 的高频词。",
        "Keywords are counted per month: these are {month}'s.",
    ),
    "vs_previous_period": ("较上一期间", "vs the period before"),
    "vs_last_year": ("去年同期", "Same period last year"),
    "no_data_then": ("无数据", "no data"),
    "target_csat": ("目标 {target}（改进计划 {plan}）", "Target {target} (plan {plan})"),
    "target_volume": (
        "目标：日均 {target} 件（改进计划 {plan}）",
        "Target: {target} a day (plan {plan})",
    ),
    "plans_for_categories": (
        "针对这些类别的改进计划（点击打开）",
        "Improvement plans aimed at these categories (click to open)",
    ),
    "alert_early_warning": (
        "预警：{category} {week} 起的一周（{kind}）{n:,.0f} 件，超过预警阈值 {threshold:,.1f}",
        "Early warning: {category}, week of {week} ({kind}): {n:,.0f} complaints, above the warning threshold {threshold:,.1f}",
    ),
    "alert_at_risk": (
        "时效风险：{n:,} 个「{clock}」节点已用去一半以上时限，尚未完成",
        "SLA at risk: {n:,} open '{clock}' clocks have used half their time or more",
    ),
    "alert_plan_overdue": (
        "改进计划逾期：{plan} {title}（负责人 {owner}，完成时限 {deadline}）",
        "Improvement plan overdue: {plan} {title} (owner {owner}, deadline {deadline})",
    ),
    "open_detail": ("选中一行查看投诉详情", "Select a row to open the complaint"),
    "first_rows": (
        "显示前 {shown:,} 条（共 {total:,} 条）；缩小筛选范围可查看其余记录，导出可取得全部",
        "The first {shown:,} of {total:,} are shown; narrow the filters to see the rest, or "
        "export them all",
    ),
    "first_rows_unfiltered": (
        "显示前 {shown:,} 条（共 {total:,} 条）；导出可取得全部",
        "The first {shown:,} of {total:,} are shown; export them all below",
    ),
    # no 下载 in the first: the download button is the second step
    "prepare_every_row": ("准备导出全部 {total:,} 条", "Prepare all {total:,} rows as CSV"),
    "preparing_every_row": ("正在准备…", "Preparing…"),
    "download_every_row": ("下载全部 {total:,} 条 CSV", "Download all {total:,} rows (CSV)"),
    "download": ("下载 CSV", "Download CSV"),
    "heatmap": ("部门 × 类别", "Department × category"),
    "quarantine": ("隔离记录", "Quarantined rows"),
    "file_loads": ("文件加载", "File loads"),
    "night_status": ("最近一晚", "Last night"),
    "files_waiting": (
        "待处理文件（未加载，每晚重试）",
        "Files waiting (not loaded; retried every night)",
    ),
    "status_succeeded": ("成功", "succeeded"),
    "status_succeeded_with_failures": ("已发布，但有文件未加载", "published, some files wait"),
    "status_failed": ("失败，未发布", "failed, not published"),
    "status_abandoned": ("中途中断", "abandoned mid-way"),
    "status_running": ("运行中", "running"),
    "reason": ("原因", "Reason"),
    "pass_rate": ("各来源校验通过率（按夜）", "Checks passed per source, by night"),
    "open_only": ("只看未解决", "Unresolved only"),
    "provisional": ("以下月份的数据为暂定", "Provisional figures for"),
    "provisional_why": (
        "这些月份的数据未通过校验（有记录被隔离或文件未加载），数字可能偏低。",
        "Data of these months failed validation (rows quarantined or files "
        "not loaded); the figures may be low.",
    ),
    "provisional_reasons": ("暂定原因", "Why provisional"),
    "data_final": ("正式", "final"),
    "data_minor": ("暂定（缺口小）", "provisional, small gap"),
    "data_alarm": ("暂定", "provisional"),
    "data_acknowledged": ("暂定（已确认）", "provisional, acknowledged"),
    "gap": ("缺口", "Gap"),
    "gap_rows": (
        "{rows:,} 条{unit}中缺 {missing:,} 条（{share}）",
        "{missing:,} of {rows:,} {unit} missing ({share})",
    ),
    "gap_files": ("{n:,} 个文件未加载", "{n:,} files not loaded"),
    "gap_minor": ("缺口较小的暂定月份", "Provisional with a small gap"),
    "gap_acknowledged": ("缺口已确认的月份", "Gaps acknowledged"),
    "data_status": ("数据状态", "Data status"),
    "failing_checks": (
        "导致月份暂定的未通过检查，及最近一晚未通过的检查（未确认的在前）",
        "Failures behind provisional months and checks failing on the latest night "
        "(unacknowledged first)",
    ),
    "acknowledged": ("已确认", "acknowledged"),
    "acknowledge": ("确认为已知问题", "Acknowledge as a known failure"),
    "ack_check": ("检查", "Check"),
    "ack_by": ("确认人", "Acknowledged by"),
    "ack_comment": ("说明（原因与处理）", "Comment (why, and what is being done)"),
    "ack_days": ("有效天数", "Days in force"),
    "ack_saved": ("已保存确认", "Acknowledgement saved"),
    "data_docs": ("GX 数据文档（Data Docs）", "GX Data Docs"),
    "data_docs_local": ("GX 数据文档位于", "GX Data Docs are at"),
    "docs_missing": (
        "尚未生成 GX 数据文档（夜间流程校验数据后生成）。",
        "No GX Data Docs yet (the nightly builds them when it validates data).",
    ),
    "docs_cdn": (
        "本安装的 GX 数据文档从公共 CDN 加载脚本；在无法访问外网的环境中页面会是空白、无样式。请在服务器上运行 python -m tousu.flows.quality.docs_assets（make install 会运行），下一次夜间流程即改用本地副本。",
        "These GX Data Docs load their scripts from public CDNs: where those are blocked, the pages are empty and unstyled. Run python -m tousu.flows.quality.docs_assets on the server (make install does); the next night uses the local copies.",
    ),
    "docs_incomplete": (
        "其中 {n:,} 项的校验页面不在数据文档中（该晚的文档未保留）。",
        "{n:,} of these have no validation page in the Data Docs (that night's site was not kept).",
    ),
    "open_docs": ("打开", "open"),
    "no_failures": ("最近一晚所有检查均通过", "Every check passed on the latest night"),
    "volume_per_night": ("每晚加载行数（按来源）", "Rows loaded per night, by source"),
    "plans": ("改进计划", "Improvement plans"),
    "overdue": ("逾期", "Overdue"),
    "plan": ("计划", "Plan"),
    "plan_title": ("计划名称", "Title"),
    "scope_category": ("范围：类别", "Scope: category"),
    "scope_department": ("范围：部门", "Scope: department"),
    "scope_product": ("范围：产品", "Scope: product"),
    "metric": ("指标", "Metric"),
    "complaints_per_day": ("日均投诉量", "Complaints per day"),
    "baseline": ("基线", "Baseline"),
    "target": ("目标", "Target"),
    "owner": ("负责人", "Owner"),
    "start_date": ("开始日期", "Start date"),
    "deadline": ("完成时限", "Deadline"),
    "status": ("状态", "Status"),
    "planned": ("计划中", "planned"),
    "in_progress": ("进行中", "in progress"),
    "done": ("已完成", "done"),
    "cancelled": ("已取消", "cancelled"),
    "done_date": ("完成日期", "Done date"),
    "save": ("保存", "Save"),
    "saved": ("已保存", "Saved"),
    "new_plan": ("新建计划", "New plan"),
    "edit_plan": ("编辑计划 / 进展", "Edit plan / progress"),
    "progress": ("进度 %", "Progress %"),
    "note": ("进展说明", "Note"),
    "add_checkpoint": ("记录进展", "Add checkpoint"),
    "verdict": ("效果验证", "Verification"),
    "effective": ("有效", "effective"),
    "not_yet": ("尚待观察", "not yet"),
    "not_effective": ("未见效", "not effective"),
    "target_met": ("达到目标", "target met"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "before": ("改进前", "before"),
    "after": ("改进后", "after"),
    "history": ("修改记录", "Change history"),
    "checkpoints": ("进展记录", "Checkpoints"),
    "keywords": ("描述高频词（按类别）", "Top keywords in descriptions, by category"),
    "weekly_trend": ("每周趋势", "Weekly trend"),
    "alerts": ("预警", "Warnings"),
    "complete_week": ("完整周", "complete week"),
    "projected_week": ("本周推算", "week so far, projected"),
    "unfinished_note": (
        "未结束的一周按已过工作日的常见占比推算显示（菱形），不会显示为下降；红点为超出基线的预警周。",
        "A week still running is shown projected from the usual share of its elapsed weekdays (diamond), never as a drop; red dots are weeks above their baseline.",
    ),
    # signing in, roles, rights, audit (dashboards/sign_in.py, warehouse/users.py)
    "user_name": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出登录", "Sign out"),
    "sign_in_wrong": ("用户名或密码错误。", "Wrong user name or password."),
    "sign_in_locked": (
        "登录失败次数过多：请 15 分钟后再试，或联系管理员。",
        "Too many failed sign-ins: try again in 15 minutes, or ask an administrator.",
    ),
    "sign_in_disabled": (
        "该用户已停用：请联系管理员。",
        "This user is disabled: ask an administrator.",
    ),
    "session_expired": (
        "会话因长时间未操作已退出，请重新登录。",
        "Your session was idle too long and has been signed out: sign in again.",
    ),
    "no_administrator": (
        "尚无管理员账户，系统不提供任何数据。请在服务器上创建管理员（命令会两次询问密码，不回显）：",
        "No administrator exists yet, so no data is served. Create one on the server (it asks for the password twice, without echo):",
    ),
    "scope_own": (
        "您看到的是您处理过的投诉，所有汇总仅基于这些投诉。",
        "You see the complaints you handled; every figure counts those only.",
    ),
    "scope_group": (
        "您看到的是本组处理过的投诉，所有汇总仅基于这些投诉。",
        "You see the complaints your group handled; every figure counts those only.",
    ),
    "no_operators": (
        "您的账户尚未关联任何坐席工号，因此没有可显示的投诉。请联系管理员（tousu users set-operators）。",
        "Your account is not mapped to any operator id yet, so there are no complaints to show. Ask an administrator (tousu users set-operators).",
    ),
    "maturing": ("本月仍在处理中", "month still maturing"),
    "maturing_help": (
        "最新月份的投诉仍在处理与回访中，结案率与满意率还会变化；与已结束的上月不可直接比较。",
        "The latest month's complaints are still being handled and followed up: its closure rate and CSAT will still change, so they do not compare with the finished month before.",
    ),
    "waiting_links_note": (
        "另有 {n:,} 条记录在等待配对（已登记但渠道记录未到，或渠道记录尚未登记），未计入以上任何数字。",
        "{n:,} more records wait to be linked (registered without their channel record, or a channel record not yet registered) and are in none of the figures above.",
    ),
    "waiting_links_list": ("查看待配对记录（数据质量）", "See the records waiting (Data quality)"),
    "waiting_links": ("待配对记录", "Records waiting to be linked"),
    "export_not_allowed": (
        "您的角色无导出权限。",
        "Your role may not export data.",
    ),
    "show_unmasked": ("查看完整个人信息（将记入审计）", "Show personal data unmasked (audited)"),
    "unmasked_note": (
        "完整个人信息仅供处理本投诉使用；本次查看已记入审计日志。",
        "Unmasked personal data is for handling this complaint only; this view is in the audit log.",
    ),
    "plans_read_only": (
        "您的角色可查看改进计划，但不能修改。",
        "Your role may read improvement plans but not change them.",
    ),
    "ack_not_allowed": (
        "您的角色不能确认数据质量问题。",
        "Your role may not acknowledge data-quality failures.",
    ),
    "audit": ("审计日志", "Audit log"),
    "audit_intact": (
        "审计日志完整：每一行均未被修改或删除。",
        "The audit log is intact: no row was changed or deleted.",
    ),
    "audit_broken": ("审计日志已被篡改：", "The audit log was tampered with: "),
    "audit_action": ("操作", "Action"),
    "audit_user": ("用户", "User"),
    "audit_since": ("起始日期", "Since"),
    "audit_seq": ("序号", "No."),
    "audit_time": ("时间", "Time"),
    "audit_target": ("对象", "Target"),
    "audit_detail": ("详情", "Detail"),
    "audit_role": ("角色", "Role"),
    "audit_group": ("小组", "Group"),
    "audit_operators": ("坐席工号", "Operator ids"),
    "audit_disabled": ("停用时间", "Disabled since"),
    "users": ("用户", "Users"),
}

ROLE_NAMES = {
    "agent": ("客服专员", "Agent"),
    "supervisor": ("主管", "Supervisor"),
    "quality_manager": ("质量经理", "Quality manager"),
    "administrator": ("管理员", "Administrator"),
}

CLOCK_NAMES = {
    "first_response": ("首次响应", "First response"),
    "investigation_started": ("启动调查", "Investigation started"),
    "follow_up": ("回访", "Follow-up"),
    "new_remedy_after_dissatisfaction": ("不满意后新方案", "New remedy after dissatisfaction"),
}

CHANNEL_EN = {
    "phone": "Phone",
    "chat": "Chat",
    "email": "Email",
    "social": "Social media",
    "store": "Store",
    "webform": "Web form",
    "post": "Post",
    "referral": "Referral",
    "other": "Other",
}


# A report's language (dashboards/report), set around its writing: outside the app there is no
# session to ask.
_FORCED: list[int] = []


@contextmanager
def in_language(index: int) -> Iterator[None]:
    """Labels in this language (0 Chinese, 1 English) inside the block, whatever the session."""
    _FORCED.append(index)
    try:
        yield
    finally:
        _FORCED.pop()


def lang() -> int:
    """0 for Chinese, 1 for English."""
    if _FORCED:
        return _FORCED[-1]
    return 1 if st.session_state.get("lang") == "English" else 0


def t(key: str) -> str:
    return TEXT[key][lang()]


def channel_label(channel: str) -> str:
    return CHANNEL_EN.get(channel, channel) if lang() else CHANNELS.get(channel, channel)


def category_label(category: str) -> str:
    return (
        f"{category} ({CATEGORY_EN[category]})" if lang() and category in CATEGORY_EN else category
    )


def role_label(role: str) -> str:
    return ROLE_NAMES.get(role, (role, role))[lang()]


def clock_label(clock: str) -> str:
    return CLOCK_NAMES.get(clock, (clock, clock))[lang()]


# Labels of a whole column, looked up in the script thread: a label function called from polars'
# map_elements runs in polars' worker threads, where Streamlit's session (and so the language)
# is missing, and fell back to Chinese. Values without a label (a declared source's own clock)
# stay as they are.
def clock_labels() -> dict[str, str]:
    return {c: clock_label(c) for c in CLOCK_NAMES}


def channel_labels() -> dict[str, str]:
    return {c: channel_label(c) for c in CHANNELS}


def category_labels() -> dict[str, str]:
    return {c: category_label(c) for c in CATEGORY_EN}


# Coded values as people read them (the warehouse keeps the codes).
CODE_NAMES = {
    # a complaint's status (flows/vocab.py STATUSES) and lifecycle events (EVENT_TYPES)
    "registered": ("已登记", "registered"),
    "assigned": ("已分派", "assigned"),
    "awaiting_customer": ("等待客户", "awaiting customer"),
    "customer_responded": ("客户已回复", "customer responded"),
    "investigating": ("调查中", "investigating"),
    "investigation_started": ("启动调查", "investigation started"),
    "first_response": ("首次响应", "first response"),
    "remedy_agreed": ("方案已确认", "remedy agreed"),
    "executed": ("已执行", "executed"),
    "follow_up": ("回访", "follow-up"),
    "followed_up": ("已回访", "followed up"),
    "closed": ("已结案", "closed"),
    "reopened": ("重新打开", "reopened"),
    # an SLA clock's status
    "met": ("达标", "met"),
    "breached": ("超时", "breached"),
    "open_breached": ("未结且已超时", "open, breached"),
    "open_within": ("未结且未超时", "open, within target"),
    # a plan's status
    "planned": ("计划中", "planned"),
    "in_progress": ("进行中", "in progress"),
    "done": ("已完成", "done"),
    "cancelled": ("已取消", "cancelled"),
    # a night's and a file's status
    "succeeded": ("成功", "succeeded"),
    "succeeded_with_failures": ("已发布，但有文件未加载", "published, some files wait"),
    "failed": ("失败", "failed"),
    "abandoned": ("中途中断", "abandoned"),
    "running": ("运行中", "running"),
    "loaded": ("已加载", "loaded"),
    "skipped_duplicate": ("重复，已跳过", "duplicate, skipped"),
    "held": ("暂缓", "held"),
    # where a record came from
    "channel": ("渠道系统", "channel system"),
    "ticket_system": ("工单系统", "ticket system"),
    # why a complaint counts as a repeat
    "same_category": ("同类问题", "same category"),
    "same_product": ("同一产品", "same product"),
    # what waits to be linked (ops.pending_links)
    "registration without its channel record": (
        "已登记，渠道记录未到",
        "registration without its channel record",
    ),
    "channel record not registered": ("渠道记录未登记", "channel record not registered"),
    "event of a complaint not in core": ("事件所属投诉未入库", "event of a complaint not in core"),
    "follow-up of a complaint not in core": (
        "回访所属投诉未入库",
        "follow-up of a complaint not in core",
    ),
    # the age of open complaints
    "0-1d": ("1 天内", "under 1 day"),
    "1-3d": ("1–3 天", "1–3 days"),
    "3-7d": ("3–7 天", "3–7 days"),
    "7-30d": ("7–30 天", "7–30 days"),
    "30d+": ("30 天以上", "over 30 days"),
    # an improvement plan's metric
    "complaints_per_day": ("日均投诉量", "complaints per day"),
    "csat": ("满意率", "CSAT"),
    # the sources of the built-in exports
    "ticket_events": ("工单事件", "ticket events"),
    "satisfaction_followups": ("满意度回访", "satisfaction follow-ups"),
    # the units a provisional month lacks (warehouse/data_gaps.py)
    "records": ("投诉记录", "records"),
    "events": ("工单事件", "ticket events"),
    "follow-ups": ("回访记录", "follow-ups"),
    "core rows": ("核心表记录", "core rows"),
    "files": ("文件", "files"),
    # audit log actions (warehouse/audit.py ACTIONS)
    "sign_in": ("登录", "signed in"),
    "sign_in_failed": ("登录失败", "sign-in failed"),
    "sign_in_refused": ("拒绝登录", "sign-in refused"),
    "sign_out": ("退出登录", "signed out"),
    "session_expired": ("会话超时", "session expired"),
    "export": ("导出", "export"),
    "export_refused": ("拒绝导出", "export refused"),
    "unmasked_view": ("查看完整个人信息", "unmasked view"),
    "plan_created": ("新建计划", "plan created"),
    "plan_changed": ("修改计划", "plan changed"),
    "plan_checkpoint": ("记录计划进展", "plan checkpoint"),
    "acknowledged": ("确认数据问题", "acknowledged"),
    "user_added": ("新增用户", "user added"),
    "user_changed": ("修改用户", "user changed"),
    "erased": ("删除个人数据", "erased"),
}
PRIORITY_EN = {"高": "high", "中": "medium", "低": "low"}
DEPARTMENT_EN = {
    "研发生产部": "R&D and production",
    "客服运营部": "Customer service",
    "物流部": "Logistics",
    "售后服务部": "After-sales service",
    "市场部": "Marketing",
}
TARGET = re.compile(r"^(\d+) (minute|hour|working day|calendar day|day)s?$")
TARGET_ZH = {
    "minute": "分钟",
    "hour": "小时",
    "working day": "个工作日",
    "calendar day": "天",
    "day": "天",
}


def code_label(code: str) -> str:
    return CODE_NAMES.get(code, (code, code))[lang()]


def gloss(name: str, english: dict[str, str]) -> str:
    """A Chinese name of the seed's vocabulary, with its English gloss in English mode."""
    return f"{name} ({english[name]})" if lang() and name in english else name


def target_label(label: str) -> str:
    """'24 hours' -> '24 小时' in Chinese mode (the policy writes them in English)."""
    found = TARGET.match(label or "")
    if not found or lang():
        return label
    return f"{found.group(1)} {TARGET_ZH[found.group(2)]}"


def value_labels() -> dict[str, dict[str, str]]:
    """Column name -> {code: label} for the columns whose values are codes, in the page's
    language (computed here, in the script thread)."""
    codes = {c: code_label(c) for c in CODE_NAMES}
    channels = channel_labels()
    sources = {**codes, **channels}
    priorities = {p: gloss(p, PRIORITY_EN) for p in PRIORITY_EN}
    departments = {d: gloss(d, DEPARTMENT_EN) for d in DEPARTMENT_EN}
    roles = {r: role_label(r) for r in ROLE_NAMES}
    return {
        "clock": {**codes, **clock_labels()},
        "channel": channels,
        "previous_channel": channels,
        "source": sources,
        "category": category_labels(),
        "priority": priorities,
        "urgency": priorities,
        "department": departments,
        "status": codes,
        "event": codes,
        "event_source": codes,
        "first_response_source": codes,
        "register": codes,
        "repeat_reason": codes,
        "waiting_for": codes,
        "age_band": codes,
        "metric": codes,
        "unit": codes,
        "role": roles,
        "action": codes,
        "target_label": {label: target_label(label) for label in _TARGET_LABELS},
    }


# The target labels a policy can write (warehouse/policies): looked up, not parsed per row.
_TARGET_LABELS = [
    f"{n} {unit}{'s' if n != 1 else ''}"
    for unit in ("minute", "hour", "working day", "calendar day", "day")
    for n in range(1, 181)
]


# Column headers: every column a page shows (tests/unit/test_dashboard_language.py fails on
# a header missing here).
COLUMNS = {
    "complaint_id": ("投诉编号", "Complaint id"),
    "previous_complaint_id": ("上一次投诉编号", "Previous complaint id"),
    "chain_id": ("投诉链", "Chain"),
    "position": ("链中序号", "Position in chain"),
    "chain_length": ("链长", "Chain length"),
    "channels_in_chain": ("链中渠道数", "Channels in chain"),
    "days_since_previous": ("距上次天数", "Days since previous"),
    "clock": ("时效节点", "Clock"),
    "instance": ("序次", "Instance"),
    "channel": ("渠道", "Channel"),
    "previous_channel": ("上次渠道", "Previous channel"),
    "department": ("部门", "Department"),
    "category": ("类别", "Category"),
    "priority": ("优先级", "Priority"),
    "urgency": ("紧急程度", "Urgency"),
    "product": ("产品", "Product"),
    "status": ("状态", "Status"),
    "met": ("达标", "Met"),
    "breached": ("超时", "Breached"),
    "open_breached": ("未结已超时", "Open, breached"),
    "open_within": ("未结未超时", "Open, within target"),
    "clocks": ("节点数", "Clocks"),
    "compliance_rate": ("达标率", "Compliance"),
    "no_target": ("无时限", "Without a target"),
    "target_label": ("时限", "Target"),
    "start_at": ("开始时间", "Started"),
    "deadline_at": ("截止时间", "Deadline"),
    "stop_at": ("停止时间", "Stopped"),
    "overrun_hours": ("超时（小时）", "Overrun (hours)"),
    "elapsed_share": ("已用时限", "Time used"),
    "paused_seconds": ("暂停（秒）", "Paused (seconds)"),
    "policy_version": ("时效政策版本", "SLA policy version"),
    "month": ("月份", "Month"),
    "months": ("月份", "Months"),
    "complaints": ("投诉量", "Complaints"),
    "repeat_complaints": ("重复投诉", "Repeat complaints"),
    "repeat_rate": ("重复投诉率", "Repeat rate"),
    "window_passed": ("窗口已满", "Window passed"),
    "came_back": ("再次投诉", "Came back"),
    "pending": ("待定", "Pending"),
    "came_back_rate": ("回头率", "Came-back rate"),
    "received_at": ("收到时间", "Received"),
    "repeat_reason": ("重复原因", "Why a repeat"),
    "reopen_count": ("重开次数", "Times reopened"),
    "sla_compliance": ("SLA 达标率", "SLA compliance"),
    "rank": ("排名", "Rank"),
    "keyword": ("关键词", "Keyword"),
    "weight": ("权重", "Weight"),
    "mentions": ("提及次数", "Mentions"),
    "week_start": ("周（周一）", "Week (Monday)"),
    "expected": ("预期", "Expected"),
    "threshold": ("预警阈值", "Warning threshold"),
    "projected": ("推算", "Projected"),
    "complete": ("完整周", "Complete week"),
    "alert": ("预警", "Warning"),
    "baseline": ("基线", "Baseline"),
    "source": ("来源", "Source"),
    "check_name": ("检查", "Check"),
    "deliveries": ("交付批次", "Deliveries"),
    "rows_missing": ("缺失行数", "Rows missing"),
    "rows_failed": ("未通过行数", "Rows failed"),
    "rows_checked": ("检查行数", "Rows checked"),
    "observed_value": ("观察值", "Observed"),
    "reason": ("原因", "Reason"),
    "acknowledged_by": ("确认人", "Acknowledged by"),
    "comment": ("说明", "Comment"),
    "until_date": ("有效至", "In force until"),
    "run_date": ("夜间日期", "Night"),
    "rows_read": ("读取行数", "Rows read"),
    "rows_loaded": ("加载行数", "Rows loaded"),
    "rows_quarantined": ("隔离行数", "Rows quarantined"),
    "files_new": ("新文件", "New files"),
    "files_failed": ("失败文件", "Files failed"),
    "files_loaded": ("已加载文件", "Files loaded"),
    "files_skipped": ("跳过文件", "Files skipped"),
    "started_at": ("开始时间", "Started"),
    "finished_at": ("结束时间", "Finished"),
    "last_good_file_at": ("最近成功文件", "Last good file"),
    "hours_since_last_good_file": ("距最近成功文件（小时）", "Hours since last good file"),
    "checks_passed": ("通过率", "Checks passed"),
    "waiting_for": ("等待内容", "Waiting for"),
    "key": ("配对键", "Key"),
    "file": ("文件", "File"),
    "row_number": ("行号", "Row"),
    "path": ("文件", "File"),
    "waiting_since": ("等待起始", "Waiting since"),
    "error": ("错误", "Error"),
    "record": ("原始记录", "Record"),
    "quarantined_at": ("隔离时间", "Quarantined"),
    "resolved_by": ("修正文件", "Resolved by"),
    "occurred_at": ("发生时间", "Occurred"),
    "event": ("事件", "Event"),
    "event_source": ("事件来源", "Event source"),
    "operator": ("坐席工号", "Operator"),
    "followed_up_at": ("回访时间", "Followed up"),
    "method": ("回访方式", "Method"),
    "result": ("回访结果", "Result"),
    "field": ("字段", "Field"),
    "value": ("值", "Value"),
    "plan_id": ("计划编号", "Plan id"),
    "title": ("计划名称", "Title"),
    "scope_kind": ("范围类型", "Scope kind"),
    "scope_value": ("范围", "Scope"),
    "metric": ("指标", "Metric"),
    "target": ("目标", "Target"),
    "owner": ("负责人", "Owner"),
    "start_date": ("开始日期", "Start date"),
    "deadline": ("完成时限", "Deadline"),
    "done_date": ("完成日期", "Done date"),
    "progress": ("进度 %", "Progress %"),
    "note": ("说明", "Note"),
    "overdue": ("逾期", "Overdue"),
    "version": ("版本", "Version"),
    "changed_at": ("修改时间", "Changed"),
    "changed_by": ("修改人", "Changed by"),
    "old_value": ("原值", "Old value"),
    "new_value": ("新值", "New value"),
    "checked_at": ("记录时间", "Recorded"),
    "checked_by": ("记录人", "Recorded by"),
    "open_complaints": ("未结投诉", "Open complaints"),
    "oldest_age_days": ("最久（天）", "Oldest (days)"),
    "age_band": ("已开时长", "Open for"),
    "unit": ("缺失内容", "Missing"),
    "missing": ("缺失", "Missing"),
    "rows": ("行数", "Rows"),
    "share": ("缺失占比", "Share missing"),
    "problems": ("问题数", "Problems"),
    "acknowledged": ("已确认", "Acknowledged"),
    "reasons": ("原因", "Reasons"),
    "docs": ("GX 数据文档", "GX Data Docs"),
    "noted_at": ("记录时间", "Noted"),
    "noted_by": ("记录人", "Noted by"),
    "scope_category": ("范围：类别", "Scope: category"),
    "scope_department": ("范围：部门", "Scope: department"),
    "scope_product": ("范围：产品", "Scope: product"),
    "seq": ("序号", "No."),
    "at_time": ("时间", "Time"),
    "user_name": ("用户", "User"),
    "action": ("操作", "Action"),
    "detail": ("详情", "Detail"),
    "object": ("对象", "Target"),
    # a complaint's record (core.complaints), shown field by field on the complaint page
    "register": ("登记系统", "Registered in"),
    "source_ref": ("来源记录号", "Source record"),
    "registered_at": ("登记时间", "Registered"),
    "customer_name_masked": ("客户姓名", "Customer name"),
    "phone": ("电话", "Phone"),
    "email": ("邮箱", "E-mail"),
    "member_no": ("会员号", "Member number"),
    "social_id": ("社交账号", "Social account"),
    "app_user_id": ("App 用户号", "App user id"),
    "source_customer_id": ("来源客户号", "Source customer id"),
    "export_as_of": ("导出时点", "Exported as of"),
    "order_no": ("订单号", "Order number"),
    "description": ("问题描述", "Description"),
    "demand": ("客户诉求", "Customer's demand"),
    "first_response_at": ("首次响应时间", "First response"),
    "first_response_source": ("首次响应来源", "First response from"),
    "assigned_at": ("分派时间", "Assigned"),
    "investigation_started_at": ("启动调查时间", "Investigation started"),
    "remedy_agreed_at": ("方案确认时间", "Remedy agreed"),
    "executed_at": ("执行时间", "Executed"),
    "follow_up_at": ("回访时间", "Followed up"),
    "closed_at": ("结案时间", "Closed"),
    "last_event_at": ("最近事件时间", "Last event"),
    "source_file": ("来源文件", "Source file"),
    "source_row_number": ("来源行号", "Source row"),
    "name": ("用户名", "User name"),
    "role": ("角色", "Role"),
    "group": ("小组", "Group"),
    "operator_ids": ("坐席工号", "Operator ids"),
    "disabled_at": ("停用时间", "Disabled since"),
    "label": ("类别", "Category"),
    "cumulative_share": ("累计占比", "Cumulative share"),
    "series": ("指标", "Measure"),
    "rate": ("比率", "Rate"),
    "this_month": ("本月", "This month"),
    "previous_month": ("上月", "Previous month"),
    "same_month_last_year": ("去年同月", "Same month last year"),
    "verdict": ("效果验证", "Verification"),
    "target_met": ("达到目标", "Target met"),
    "closed": ("已结案", "Closed"),
    "followups_answered": ("回访成功", "Follow-ups answered"),
    "satisfied": ("满意", "Satisfied"),
}


def column_label(name: str) -> str:
    """A column's header in the page's language; a column not in the table shows its name (the
    language test fails on it)."""
    return COLUMNS[name][lang()] if name in COLUMNS else name


# The messages a refused plan, checkpoint or acknowledgement gives (warehouse/plan_store.py,
# warehouse/acknowledgements.py), in Chinese; patterns for those that name a plan.
ERRORS_ZH = {
    "title is empty": "计划名称不能为空",
    "owner is empty": "负责人不能为空",
    "the deadline is before the start date": "完成时限早于开始日期",
    "a CSAT target is a share between 0 and 1 (e.g. 0.8)": "满意率目标是 0 到 1 之间的比例（如 0.8）",
    "the target cannot be negative": "目标不能为负数",
    "a plan marked done needs its done date": "标记为已完成的计划需要填写完成日期",
    "the done date is before the start date": "完成日期早于开始日期",
    "progress is a percentage from 0 to 100": "进度是 0 到 100 之间的百分数",
    "a checkpoint needs a note": "进展记录需要填写说明",
    "say who acknowledges the failure": "请注明确认人",
    "a comment is required: why the failure is known and what is done": (
        "需要填写说明：为何这是已知问题、正在如何处理"
    ),
    "an acknowledgement lasts 1 to 366 days": "确认的有效期为 1 到 366 天",
}
ERROR_PATTERNS_ZH = (
    (re.compile(r"^no plan (\S+)$"), "没有计划 {0}"),
    (
        re.compile(r"^(\S+) was changed by someone else meanwhile \(version (\S+)\)"),
        "计划 {0} 已被他人修改（版本 {1}）：请重新打开后再编辑",
    ),
    (re.compile(r"^metric must be one of (.+)$"), "指标须为以下之一：{0}"),
    (re.compile(r"^status must be one of (.+)$"), "状态须为以下之一：{0}"),
)


def error_text(message: str) -> str:
    """A refusal's message in the page's language (the warehouse writes it in English)."""
    if lang():
        return message
    if message in ERRORS_ZH:
        return ERRORS_ZH[message]
    for pattern, text in ERROR_PATTERNS_ZH:
        found = pattern.match(message)
        if found:
            return text.format(*found.groups())
    return message
