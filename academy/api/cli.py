"""`academy tokens create|revoke`."""
import click

tokens_cli = click.Group("tokens", help="Personal access tokens for the read-only API.")
