"""`/interview sets`: the workspace's question sets, uploaded, previewed, published, downloaded."""
