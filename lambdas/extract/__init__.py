"""Extract: plan a run (trigger URL, schedule, direct invoke) and fetch its pages from randomuser."""
