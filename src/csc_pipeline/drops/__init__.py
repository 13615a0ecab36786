"""Finding the nightly drops in the landing folder and reading their manifests."""
