"""Alembic migrations, shipped inside the package so an installed zerokeep can upgrade itself."""
