"""Fixtures the hackathons tests share."""
