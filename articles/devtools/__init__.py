"""Development tooling kept apart from the site's runtime: the archive generator and the parse-quality score."""
