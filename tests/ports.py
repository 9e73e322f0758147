"""Free TCP ports on the loopback interface for the servers the tests start."""
import socket


def free_port():
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
