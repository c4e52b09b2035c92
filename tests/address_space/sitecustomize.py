"""Test hook: a Python started with this folder on PYTHONPATH runs under the address-space limit
in LOCAL_LLM_ASSIST_TEST_ADDRESS_SPACE (bytes), as on a machine without memory to spare.

The fault tests start the model worker this way; the product itself never reads the variable.
"""

import os
import resource

if limit := os.environ.get("LOCAL_LLM_ASSIST_TEST_ADDRESS_SPACE"):
    resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
