"""Work done once in the server's master process, before it forks its workers (gunicorn's
`preload_app`): every worker, including each one started later to replace another
(`max_requests`), inherits the result instead of doing it on its first requests."""


def compile_templates(app):
    """Compile every HTML and text template of the app; returns how many."""
    env = app.jinja_env
    names = [name for name in env.list_templates() if name.endswith((".html", ".txt"))]
    for name in names:
        env.get_template(name)
    return len(names)
