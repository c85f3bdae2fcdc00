"""Chinese and English labels. Category, urgency and department names stay Chinese (the seed
process's terms), with an English gloss in English mode."""

from __future__ import annotations

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
    "open_detail": ("选中一行查看投诉详情", "Select a row to open the complaint"),
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
    "provisional_column": ("暂定", "provisional"),
    "final": ("正式", "final"),
    "data_status": ("数据状态", "data"),
    "failing_checks": ("最近一晚未通过的检查", "Checks failing on the latest night"),
    "acknowledged": ("已确认", "acknowledged"),
    "acknowledge": ("确认为已知问题", "Acknowledge as a known failure"),
    "ack_check": ("检查", "Check"),
    "ack_by": ("确认人", "Acknowledged by"),
    "ack_comment": ("说明（原因与处理）", "Comment (why, and what is being done)"),
    "ack_days": ("有效天数", "Days in force"),
    "ack_saved": ("已保存确认", "Acknowledgement saved"),
    "data_docs": ("GX 数据文档（Data Docs）", "GX Data Docs"),
    "data_docs_local": ("GX 数据文档位于", "GX Data Docs are at"),
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


def lang() -> int:
    """0 for Chinese, 1 for English."""
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
