"""Preview: the learner player over a course, the content origin that serves it, and LMS try-outs."""
