"""Storyboards: ordered shots made as jobs (plan.py checks a board, service.py stores and changes
it, advance.py starts waiting shots as their predecessors end, render.py and joined.py make the one
MP4 with its seams, present.py the API's object, local.py a board made in the CLI's process)."""
