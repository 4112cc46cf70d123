int chdf5_placeholder;
