__rvenv_begin
__rvenv_deactivate_theirs
__rvenv_watch '' '' '' ''
__rvenv_activate '/tmp/rvt-ps-golden/it''s $(x)/.venv' 'it''s $(x)' 'it''s $(x)'
__rvenv_unset '__RVENV_PIN'
__rvenv_pin ''
