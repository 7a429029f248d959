"""Single sign-on through departments' OpenID Connect providers (GOV.UK One Login, Entra ID).

``config`` turns environment variables into allauth's provider settings; ``provider`` extends
allauth's OpenID Connect provider (signed client assertions, nonce, vector of trust);
``adapter`` decides who may sign in and be linked.
"""
