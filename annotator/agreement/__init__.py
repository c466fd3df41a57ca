"""Inter-annotator agreement: how far analysts who coded the same sentences agree.

``codings`` reads logs into who gave which label set to which sentence;
``metrics`` holds the pure kernels (numpy only, no I/O) and the public metrics
over plain ratings; ``report`` builds what ``annotator agree`` shows and the
disagreements adjudication works on. Every public name is importable from
``annotator.agreement`` itself.
"""

from __future__ import annotations

from annotator.agreement.codings import Coding, Codings, Unit, read_codings
from annotator.agreement.columns import retired_units
from annotator.agreement.metrics import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    masi_distance,
    percent_agreement,
)
from annotator.agreement.report import (
    NO_LABEL,
    AgreementReport,
    Confusion,
    Disagreement,
    Disputed,
    GroupScore,
    PairScore,
    Scores,
    agreement_report,
    category_name,
    disagreements,
    disagreements_in,
)
from annotator.errors import AgreementError

__all__ = [
    "NO_LABEL",
    "AgreementError",
    "AgreementReport",
    "Coding",
    "Codings",
    "Confusion",
    "Disagreement",
    "Disputed",
    "GroupScore",
    "PairScore",
    "Scores",
    "Unit",
    "agreement_report",
    "category_name",
    "cohen_kappa",
    "disagreements",
    "disagreements_in",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "masi_distance",
    "percent_agreement",
    "read_codings",
    "retired_units",
]
