"""Jobs: the queue, its worker and the job pages."""
