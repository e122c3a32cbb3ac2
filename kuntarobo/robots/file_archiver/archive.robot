*** Settings ***
Documentation       Moves the processed export files from an inbox folder to a dated archive
...                 folder and appends a manifest line for each file. Run in RPA mode by kuntarobo.
...                 The folders come checked, inside the robot's storage root; the file keywords
...                 (archive_files.py) never follow a symlink out of it.
Library             DateTime
Library             archive_files.py


*** Variables ***
${STORAGE_ROOT}         ${EMPTY}
${INBOX_FOLDER}         ${EMPTY}
${ARCHIVE_FOLDER}       ${EMPTY}
${PATTERN}              *.csv


*** Tasks ***
Archive Processed Files
    IF    not $STORAGE_ROOT or not $INBOX_FOLDER or not $ARCHIVE_FOLDER
        Fail    BusinessException: the inbox and archive folders must both be set
    END
    Folder Should Be Inside    ${INBOX_FOLDER}    ${STORAGE_ROOT}    inbox folder
    ${today}=    Get Current Date    result_format=%Y-%m-%d
    ${target}=    Day Folder    ${ARCHIVE_FOLDER}    ${STORAGE_ROOT}    ${today}
    ${shown}=    Shown Path    ${target}    ${STORAGE_ROOT}
    @{names}=    Regular Files In Folder    ${INBOX_FOLDER}    ${STORAGE_ROOT}    ${PATTERN}
    FOR    ${name}    IN    @{names}
        ${size}=    Archive File    ${name}    ${INBOX_FOLDER}    ${target}    ${STORAGE_ROOT}
        Log    Archived ${name} (${size} bytes)
    END
    ${count}=    Get Length    ${names}
    Log    ${count} files archived to ${shown}
