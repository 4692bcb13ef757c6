"""`python -m plan_review {plan,apply} ...`: what ./scripts/plan and ./scripts/apply run."""

import sys

from plan_review.cli import main

sys.exit(main())
