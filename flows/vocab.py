"""The process vocabulary, in one place: channels, categories, urgency, events, satisfaction.

Values are the ones the seed process uses (see ../shared/seeds/003_*.txt); English labels are for
the language switch of views and reports.
"""

CHANNELS = {
    "phone": "电话",
    "chat": "在线客服",
    "email": "邮件",
    "social": "社交媒体",
    "store": "门店",
    "webform": "网页表单",
    # Channels of exports a company brings (e.g. a regulator's database): letters and cases
    # referred by another body. The demo's own channels are the six above.
    "post": "信函",
    "referral": "转办",
    # A value the export has no channel for (UNKNOWN, OTHER, an internal worker's report): kept
    # as its own channel rather than mislabelled; the dashboards list it last as 其他 / Other.
    "other": "其他",
}

# Category -> the department that owns it by default (seed step 2: 明确责任部门).
CATEGORIES = {
    "产品质量类": "研发生产部",
    "服务态度类": "客服运营部",
    "物流配送类": "物流部",
    "售后流程类": "售后服务部",
    "信息宣传类": "市场部",
    "其他类": "客服运营部",
}
CATEGORY_EN = {
    "产品质量类": "Product quality",
    "服务态度类": "Service attitude",
    "物流配送类": "Logistics and delivery",
    "售后流程类": "After-sales process",
    "信息宣传类": "Information and advertising",
    "其他类": "Other",
}
DEPARTMENTS = sorted(set(CATEGORIES.values()))

# 高: safety or major loss; 中: affects normal use; 低: minor flaw or suggestion.
URGENCY = ("高", "中", "低")
PRIORITY = ("高", "中", "低")

# Lifecycle events as the ticket system exports them, in process order.
EVENT_TYPES = (
    "registered",
    "first_response",
    "assigned",
    "investigation_started",
    "remedy_agreed",
    "executed",
    "follow_up",
    "closed",
    "reopened",
    # the complaint waits on the customer (information, photos, a visit); SLA clocks configured
    # to pause stop between these two
    "awaiting_customer",
    "customer_responded",
)

# Status a complaint is in (core.complaints.status), set in warehouse/core/10_complaints.sql.
STATUSES = (
    "registered",
    "assigned",
    "awaiting_customer",
    "investigating",
    "remedy_agreed",
    "executed",
    "followed_up",
    "closed",
    "reopened",
)

# The seed's 5-level follow-up scale, best first, and the answer when the customer was not reached.
SATISFACTION_LEVELS = ("非常满意", "满意", "一般", "不满意", "非常不满意")
SATISFACTION_NO_ANSWER = "未回访成功"
SATISFACTION_SCORE = {level: 5 - i for i, level in enumerate(SATISFACTION_LEVELS)}
SATISFIED = SATISFACTION_LEVELS[:2]  # 非常满意, 满意: the CSAT numerator
DISSATISFIED = SATISFACTION_LEVELS[3:]  # 不满意, 非常不满意: a new remedy is due (seed step 6)

# The channels the built-in sources are named after (the demo's own channels).
OWN_CHANNELS = ("phone", "chat", "email", "social", "store", "webform")


def reference_rows() -> dict[str, tuple[list[str], list[tuple]]]:
    """The vocabulary as tables SQL joins (schema ref): name -> (columns, rows)."""
    return {
        "ref.satisfaction_levels": (
            ["result", "answered", "score", "satisfied", "dissatisfied"],
            [
                (level, True, SATISFACTION_SCORE[level], level in SATISFIED, level in DISSATISFIED)
                for level in SATISFACTION_LEVELS
            ]
            + [(SATISFACTION_NO_ANSWER, False, None, False, False)],
        ),
        "ref.channels": (
            ["channel", "label_zh", "own_source"],
            [(channel, label, channel in OWN_CHANNELS) for channel, label in CHANNELS.items()],
        ),
    }


DEMANDS = ("退款", "换货", "维修", "赔偿", "道歉", "改进服务", "解释说明")
