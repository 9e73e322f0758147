"""The Prague Process Trainer Network: invitations, trainer profiles, directory, assignments."""
