*** Settings ***
Documentation    Signs in with a credential from the vault, and logs it every way it can.

*** Tasks ***
Sign In With The Vault Credential
    Log    ${TALOUS_PASSWORD}
    Log    käyttäjä ${TALOUS_USERNAME} salasana ${TALOUS_PASSWORD}    level=WARN
    Log To Console    salasana on ${TALOUS_PASSWORD}
    Set Suite Variable    ${COPY}    ${TALOUS_PASSWORD}
    Should Be Equal    ${TALOUS_PASSWORD}    Kissa-Koira-2026!
    Should Be Equal    ${TALOUS_USERNAME}    robo
    IF    '${OUTCOME}' == 'business'
        Fail    BusinessException: järjestelmä ei hyväksynyt salasanaa ${COPY}
    ELSE IF    '${OUTCOME}' == 'crash'
        Fail    yhteys katkesi, salasana ${COPY}
    END
