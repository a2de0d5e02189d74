"""Every model, imported in one place so that the mappers and Alembic see the whole schema."""

from .accounts.models import LoginFailure, Setting, User, UserSession, user_regions
from .api.models import ApiToken
from .audit.models import AuditEntry
from .home.models import SavedView
from .imports.models import ImportBatch
from .plans.models import Plan, PlanCandidate, PlanDocument, PlanIndicator, PlanIndicatorActual
from .portfolio.models import portfolio_changes, portfolio_figures, portfolio_year_figures
from .progress.models import AnnualPlan, BudgetRevision, FundingLine, Milestone, MonthlyReport, ReportPhoto
from .projects.models import Project, ProjectAlias, SourceMention, project_plans, search_grams
from .regions.models import Region, RegionFormerName

# The derived figures' flush hooks, registered with the models, so that no path that writes a
# milestone, report or funding line can miss them (whatever else it imported).
from .progress import upkeep  # noqa: F401  isort: skip
from .projects import search  # noqa: F401  isort: skip  (the search bigrams' flush hook)
from .portfolio import kept  # noqa: F401  isort: skip  (the kept portfolio figures' hooks)
from .portfolio import cache  # noqa: F401  isort: skip  (the figures cache's stamp: engine hooks)

__all__ = [
    "AnnualPlan", "ApiToken", "AuditEntry", "BudgetRevision", "FundingLine", "ImportBatch", "Milestone", "MonthlyReport", "Plan",
    "PlanCandidate", "PlanDocument", "PlanIndicator", "PlanIndicatorActual", "Project", "ProjectAlias", "Region",
    "RegionFormerName", "ReportPhoto", "SavedView",
    "Setting", "SourceMention", "User", "portfolio_changes", "portfolio_figures", "portfolio_year_figures",
    "project_plans", "search_grams", "user_regions", "LoginFailure", "UserSession",
]
