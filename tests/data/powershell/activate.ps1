__rvenv_begin
__rvenv_deactivate_theirs
__rvenv_watch '' ''
__rvenv_own '/tmp/rvt-ps-golden/it''s $(x)/.venv'
__rvenv_stash_pythonhome
__rvenv_set 'VIRTUAL_ENV' '/tmp/rvt-ps-golden/it''s $(x)/.venv'
__rvenv_set 'VIRTUAL_ENV_PROMPT' 'it''s $(x)'
__rvenv_path_first '/tmp/rvt-ps-golden/it''s $(x)/.venv/bin'
__rvenv_prompt 'it''s $(x)'
__rvenv_define_deactivate
__rvenv_unset '__RVENV_PIN'
__rvenv_pin ''
