*** Settings ***
Documentation       Opens a web form in Debian's headless Chromium (through Debian's chromedriver)
...                 and checks that it is the page the municipality expects: its title and its
...                 main heading. Run in RPA mode by kuntarobo; the example of docs/browser-robots.md.
...                 A selector that does not match fails the task (an application exception,
...                 retried); a page that says the service is closed is a business exception.
Library             SeleniumLibrary    timeout=10s    screenshot_root_directory=EMBED
Suite Teardown      Close All Browsers


*** Variables ***
${CHROMIUM}             /usr/bin/chromium
${CHROMEDRIVER}         /usr/bin/chromedriver
${PAGE_ADDRESS}         ${EMPTY}
${EXPECTED_TITLE}       ${EMPTY}
${EXPECTED_HEADING}     ${EMPTY}


*** Tasks ***
Check The Web Form
    IF    not $PAGE_ADDRESS
        Fail    BusinessException: the page address is not set
    END
    Open Headless Chromium    ${PAGE_ADDRESS}
    ${closed}=    Get Element Count    css:.service-closed
    IF    ${closed} > 0
        Fail    BusinessException: the page says the service is closed
    END
    IF    $EXPECTED_TITLE
        Title Should Be    ${EXPECTED_TITLE}
    END
    Wait Until Element Is Visible    css:h1
    IF    $EXPECTED_HEADING
        Element Should Contain    css:h1    ${EXPECTED_HEADING}
    END
    ${heading}=    Get Text    css:h1
    Log    The form's heading is "${heading}"


*** Keywords ***
Open Headless Chromium
    [Documentation]    Debian's Chromium and chromedriver: nothing is downloaded.
    [Arguments]    ${address}
    ${options}=    Catenate    SEPARATOR=;
    ...    binary_location="${CHROMIUM}"
    ...    add_argument("--headless")
    ...    add_argument("--no-sandbox")
    ...    add_argument("--disable-gpu")
    ...    add_argument("--disable-dev-shm-usage")
    ...    add_argument("--window-size=1280,900")
    ...    add_argument("--lang=fi-FI")
    Open Browser    ${address}    chrome    options=${options}    executable_path=${CHROMEDRIVER}
