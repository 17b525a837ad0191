"""From vote to certificate: approval filing (七（五）1、3), electronic certificates and their
verification (七（五）2), exchange of certificates from elsewhere (七（五）4), revocation,
the blacklist and the integrity pledge archive (八（三）), and the import of past records."""
