"""NOC summaries of the Point stream: the demo's terminal tables and its HTML report."""
