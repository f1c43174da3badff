"""An ordinary HumanLayer agent asking a human a question with hl.human_as_tool().

Run with only HUMANLAYER_API_BASE and HUMANLAYER_API_KEY set. argv[1] is the run id.
Prints `ANSWER: <the human's text>`.
"""

import sys

from humanlayer import HumanLayer

hl = HumanLayer(run_id=sys.argv[1])
ask_a_human = hl.human_as_tool()

print(f"ANSWER: {ask_a_human('Which warehouse should ship order A-1?')}", flush=True)
