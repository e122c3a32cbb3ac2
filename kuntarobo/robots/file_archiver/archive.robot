*** Settings ***
Documentation       Moves the processed export files from an inbox folder to a dated archive
...                 folder and appends a manifest line for each file. Run in RPA mode by kuntarobo.
Library             OperatingSystem
Library             DateTime


*** Variables ***
${INBOX_FOLDER}         ${EMPTY}
${ARCHIVE_FOLDER}       ${EMPTY}
${PATTERN}              *.csv


*** Tasks ***
Archive Processed Files
    IF    not $INBOX_FOLDER or not $ARCHIVE_FOLDER
        Fail    BusinessException: the inbox and archive folders must both be set
    END
    ${inbox_exists}=    Run Keyword And Return Status    Directory Should Exist    ${INBOX_FOLDER}
    IF    not ${inbox_exists}
        Fail    BusinessException: inbox folder ${INBOX_FOLDER} does not exist
    END
    ${today}=    Get Current Date    result_format=%Y-%m-%d
    ${target}=    Join Path    ${ARCHIVE_FOLDER}    ${today}
    Create Directory    ${target}
    @{files}=    List Files In Directory    ${INBOX_FOLDER}    ${PATTERN}    absolute=True
    FOR    ${file}    IN    @{files}
        ${size}=    Get File Size    ${file}
        Move File    ${file}    ${target}
        ${name}=    Evaluate    os.path.basename($file)    modules=os
        Append To File    ${target}${/}manifest.txt    ${name}\t${size}\n
        Log    Archived ${name} (${size} bytes)
    END
    ${count}=    Get Length    ${files}
    Log    ${count} files archived to ${target}
