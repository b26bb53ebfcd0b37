"""The registry of audit action codes (STYLE §7): namespaced, one enum, with labels."""
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AuditAction"]


class AuditAction(models.TextChoices):
    # accounts
    LOGIN_SUCCEEDED = "accounts.login", _("登录成功")
    LOGIN_FAILED = "accounts.login_failed", _("登录失败")
    LOGOUT = "accounts.logout", _("退出登录")
    ACCESS_DENIED = "accounts.access_denied", _("拒绝访问")
    USER_CREATED = "accounts.user_create", _("创建用户")
    USER_PASSWORD_SET = "accounts.password_set", _("设置密码")
    ROLE_GRANTED = "accounts.role_grant", _("授予角色")
    ROLE_REVOKED = "accounts.role_revoke", _("撤销角色")
    MFA_ENROLLED = "accounts.mfa_enroll", _("启用双因素认证")
    MFA_DISABLED = "accounts.mfa_disable", _("停用双因素认证")
    MFA_BACKUP_CODES = "accounts.mfa_backup_codes", _("生成备用验证码")
    API_TOKEN_CREATED = "accounts.apitoken_create", _("创建 API 令牌")
    API_TOKEN_REVOKED = "accounts.apitoken_revoke", _("吊销 API 令牌")
    OTP_FAILED = "accounts.otp_failed", _("双因素验证失败")
    MFA_BACKUP_CODE_USED = "accounts.mfa_backup_code_used", _("使用备用验证码")
    # orgs
    ORG_CREATED = "orgs.create", _("创建组织")
    ORG_UPDATED = "orgs.update", _("修改组织")
    ORG_MOVED = "orgs.move", _("移动组织")
    ORG_DISSOLVED = "orgs.dissolve", _("撤销组织")
    UNIT_CREATED = "orgs.unit_create", _("创建企业单位")
    UNIT_UPDATED = "orgs.unit_update", _("修改企业单位")
    ORG_UNIT_MAPPED = "orgs.unit_map", _("关联组织与单位")
    ORG_UNIT_UNMAPPED = "orgs.unit_unmap", _("解除组织与单位关联")
    TERM_CREATED = "orgs.term_create", _("新建届次")
    TERM_UPDATED = "orgs.term_update", _("修改届次")
    BULK_IMPORTED_ORGS = "orgs.bulk_create", _("批量建立组织")
    UNITS_BULK_CREATED = "orgs.unit_bulk_create", _("批量建立企业单位")
    ORG_UNITS_BULK_MAPPED = "orgs.unit_bulk_map", _("批量关联组织与单位")
    TERMS_BULK_CREATED = "orgs.term_bulk_create", _("批量新建届次")
    # members
    MEMBER_CREATED = "members.create", _("新增党员")
    MEMBER_UPDATED = "members.update", _("修改党员信息")
    MEMBER_REVEALED = "members.reveal", _("查看敏感信息")
    MEMBER_LINKED_USER = "members.link_user", _("关联登录账号")
    SEAT_ASSIGNED = "members.seat_assign", _("任命委员职务")
    SEAT_ENDED = "members.seat_end", _("免去委员职务")
    BULK_IMPORTED_MEMBERS = "members.bulk_create", _("批量新增党员")
    SEATS_BULK_ASSIGNED = "members.seat_bulk_assign", _("批量任命委员职务")
    # demo
    DEMO_BUILT = "demo.build", _("生成演示数据")
    # dues
    DUES_PROFILE_SET = "dues.profile_set", _("设置党费档案")
    DUES_BASES_FIXED = "dues.bases_fix", _("核定年度党费基数")
    DUES_RELIEF_APPROVED = "dues.relief_approve", _("批准党费减免")
    DUES_RELIEF_REVOKED = "dues.relief_revoke", _("撤销党费减免")
    DUES_BILLS_GENERATED = "dues.bills_generate", _("生成党费账单")
    DUES_PAYMENT_RECORDED = "dues.payment_record", _("登记党费缴纳")
    DUES_RULES_CHANGED = "dues.rules_change", _("修改党费标准")
    DUES_EXPORTED = "dues.export", _("导出党费对账数据")
