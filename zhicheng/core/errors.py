"""The exception every domain refusal derives from: its message is a sentence for the user.

Infrastructure (the job runner) shows such a refusal as it is and logs any other error as a fault,
without knowing which app refused."""


class Refusal(Exception):
    """A domain step refused for a reason the user can read; nothing was changed."""
