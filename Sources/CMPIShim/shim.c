int cmpishim_placeholder;
