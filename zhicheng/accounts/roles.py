"""The roles of the notice, declared once.

Which organisation kind a staff account belongs to, and whether the role only reads,
lives here; what each role may *do* to a declaration lives in the transition table
(zhicheng/declarations/workflow.py); what it may *see* lives in the scoped querysets.
"""

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "申报人"
    EMPLOYER_HR = "employer_hr", "用人单位"
    COMPETENT_DEPARTMENT = "competent_department", "主管部门"
    HR_BUREAU = "hr_bureau", "盟市/旗县人社局"
    RECOMMENDING_BODY = "recommending_body", "非公推荐机构"
    TALENT_SERVICE_CENTRE = "talent_service_centre", "自治区人事人才公共服务中心"
    COMMITTEE_OFFICE = "committee_office", "评委会办事机构"
    EXPERT = "expert", "评审专家"
    REGIONAL_HR_DEPARTMENT = "regional_hr_department", "自治区人社厅"
    SUPERVISOR = "supervisor", "监督（纪检监察）"
    SYSTEM = "system", "系统"


# The organisation kind each staff role belongs to (None: no organisation).
ROLE_ORGANISATION_KIND = {
    Role.APPLICANT: None,
    Role.EMPLOYER_HR: "unit",
    Role.COMPETENT_DEPARTMENT: "competent_department",
    Role.HR_BUREAU: "hr_bureau",
    Role.RECOMMENDING_BODY: "recommending_body",
    Role.TALENT_SERVICE_CENTRE: "talent_service_centre",
    Role.COMMITTEE_OFFICE: "committee_office",
    Role.EXPERT: None,
    Role.REGIONAL_HR_DEPARTMENT: "regional_hr_department",
    Role.SUPERVISOR: "regional_hr_department",
    Role.SYSTEM: None,
}

READ_ONLY_ROLES = frozenset({Role.SUPERVISOR})

# Roles that see the audit log.
AUDIT_READERS = frozenset({Role.SUPERVISOR, Role.REGIONAL_HR_DEPARTMENT})

# Roles that hold a queue of declarations (everyone but the public and the system).
STAFF_ROLES = frozenset(ROLE_ORGANISATION_KIND) - {Role.APPLICANT, Role.SYSTEM}

# Staff who pass a TOTP second factor as experts do, where settings.STAFF_SECOND_FACTOR requires it (on in
# production): the regional department (its supervisor too), the HR bureaus and the committee offices.
SECOND_FACTOR_STAFF_ROLES = frozenset({
    Role.REGIONAL_HR_DEPARTMENT, Role.SUPERVISOR, Role.HR_BUREAU, Role.COMMITTEE_OFFICE,
})
