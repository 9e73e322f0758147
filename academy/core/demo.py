"""`academy demo`: a working site for a newcomer."""
import click


@click.command("demo")
def demo_command():
    """Migrate, import courses/, create demo accounts and serve."""
