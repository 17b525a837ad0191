"""National data collection (归集): filed results and certificates, incremental and signed."""

from ninja import Router

router = Router()
