import pytest


@pytest.fixture(autouse=True)
def hachage_rapide(settings):
    """Chaque fabrique de compte hache un mot de passe : PBKDF2 rendrait la matrice lente."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
